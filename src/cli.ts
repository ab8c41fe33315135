// placeholder: the `llm-cost` CLI is implemented in the pricing issue.
console.error('llm-cost: not implemented yet');
process.exitCode = 1;
