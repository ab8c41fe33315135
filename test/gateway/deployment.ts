/**
 * The scale-out deployment of docs/gateway.md on loopback, for the tests: the Collector running
 * collector-config/gateway/front.yaml (loadbalancing by trace id) in front of two
 * `llm-cost serve` processes that forward to a receiver the test owns.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, startServe, type ServeProcess } from './serve-process.js';
import { freePort, OTELCOL, waitForPort } from './tools.js';

const FRONT_CONFIG = join(ROOT, 'collector-config', 'gateway', 'front.yaml');

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

export interface Deployment {
  replicas: ServeProcess[];
  grpcPorts: number[];
  frontHttp: number;
  collector: ChildProcess;
  collectorLog: () => string;
  /** Starts replica `i` again on its gRPC port (after it was killed). */
  restartReplica(i: number): Promise<void>;
}

/** Starts the deployment; everything started is registered in `stops` (LIFO cleanup). */
export async function deploy(
  upstreamUrl: string,
  replicaArgs: string[],
  stops: Array<() => Promise<unknown>>,
): Promise<Deployment> {
  const startReplica = async (grpcPort: number): Promise<ServeProcess> => {
    const replica = await startServe([
      '--http',
      '127.0.0.1:0',
      '--grpc',
      `127.0.0.1:${grpcPort}`,
      '--upstream',
      upstreamUrl,
      '--upstream-protocol',
      'http/json',
      '--metrics-interval',
      '1000',
      '--shutdown-timeout',
      '5000',
      ...replicaArgs,
    ]);
    stops.push(() => stopProcess(replica.child));
    return replica;
  };
  const grpcPorts = [await freePort(), await freePort()];
  const replicas = [await startReplica(grpcPorts[0]!), await startReplica(grpcPorts[1]!)];
  const frontHttp = await freePort();
  const frontGrpc = await freePort();
  let log = '';
  const collector = spawn(OTELCOL, ['--config', FRONT_CONFIG], {
    env: {
      PATH: process.env.PATH ?? '',
      FRONT_GRPC_ENDPOINT: `127.0.0.1:${frontGrpc}`,
      FRONT_HTTP_ENDPOINT: `127.0.0.1:${frontHttp}`,
      GATEWAY_REPLICAS: `[127.0.0.1:${grpcPorts[0]}, 127.0.0.1:${grpcPorts[1]}]`,
      // No back Collector here: the apps' metrics and logs are not part of these tests.
      BACK_OTLP_ENDPOINT: `127.0.0.1:${await freePort()}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (c: Buffer): void => {
    log = (log + c.toString()).slice(-20_000);
  };
  collector.stdout!.on('data', keep);
  collector.stderr!.on('data', keep);
  stops.push(() => stopProcess(collector));
  await waitForPort(frontHttp, 60_000);
  return {
    replicas,
    grpcPorts,
    frontHttp,
    collector,
    collectorLog: () => log,
    async restartReplica(i) {
      replicas[i] = await startReplica(grpcPorts[i]!);
    },
  };
}
