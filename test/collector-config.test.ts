/**
 * Static checks of collector-config/: the Collector config is internally consistent and only uses
 * component names shipped by the pinned Collector image, and the compose stack, Prometheus
 * config and Grafana provisioning agree with each other (ports, paths, datasource uid).
 * No Docker here, so this is what catches a typo before a user's `docker compose up` does.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const DIR = join(import.meta.dirname, '..', 'collector-config');
const readYaml = (file: string): any => parse(readFileSync(join(DIR, file), 'utf8'));

const PINNED_COLLECTOR = 'otel/opentelemetry-collector-contrib:0.136.0';

/**
 * Component type names (the part before `/` in a component id) shipped by
 * otelcol-contrib 0.136.0, for the kinds this config may use. Source: the distribution manifest,
 * open-telemetry/opentelemetry-collector-releases distributions/otelcol-contrib/manifest.yaml
 * (otlpreceiver, memorylimiterprocessor, batchprocessor, otlpexporter, otlphttpexporter,
 * debugexporter, prometheusexporter, healthcheckextension …). Only a subset is listed: a name
 * missing here fails the test and has to be checked against the manifest before being added.
 */
const SHIPPED_0_136: Record<'receivers' | 'processors' | 'exporters' | 'extensions' | 'connectors', string[]> = {
  receivers: ['otlp', 'prometheus', 'hostmetrics', 'filelog'],
  processors: [
    'memory_limiter',
    'batch',
    'attributes',
    'filter',
    'resource',
    'transform',
    'tail_sampling',
    'probabilistic_sampler',
  ],
  exporters: ['otlp', 'otlphttp', 'prometheus', 'prometheusremotewrite', 'debug', 'file', 'nop'],
  extensions: ['health_check', 'pprof', 'zpages'],
  connectors: ['spanmetrics', 'count', 'forward', 'routing'],
};
/** Removed from the Collector: `logging` (replaced by `debug`, v0.111) and `jaeger` (Jaeger takes OTLP, v0.85). */
const REMOVED = ['logging', 'jaeger'];

const componentType = (id: string): string => id.split('/')[0]!;

describe('collector-config/otel-collector.yaml', () => {
  const config = readYaml('otel-collector.yaml');
  const pipelines: Record<string, Record<string, string[]>> = config.service.pipelines;

  it('defines every component a pipeline or the service uses', () => {
    for (const [name, pipeline] of Object.entries(pipelines)) {
      for (const kind of ['receivers', 'processors', 'exporters'] as const) {
        for (const id of pipeline[kind] ?? []) {
          expect(config[kind]?.[id], `${name}.${kind}: ${id} is not defined under ${kind}:`).not.toBeUndefined();
        }
      }
      expect(pipeline.receivers?.length, `${name} has receivers`).toBeGreaterThan(0);
      expect(pipeline.exporters?.length, `${name} has exporters`).toBeGreaterThan(0);
    }
    for (const id of config.service.extensions ?? []) {
      expect(config.extensions?.[id], `extension ${id}`).not.toBeUndefined();
    }
  });

  it('uses only component names shipped by the pinned Collector version, none of the removed ones', () => {
    for (const kind of Object.keys(SHIPPED_0_136) as Array<keyof typeof SHIPPED_0_136>) {
      for (const id of Object.keys(config[kind] ?? {})) {
        const type = componentType(id);
        expect(REMOVED.includes(type) && kind === 'exporters', `${id} was removed from the Collector`).toBe(false);
        expect(SHIPPED_0_136[kind], `${kind}: ${id}`).toContain(type);
      }
    }
  });

  it('receives OTLP over gRPC and HTTP on all interfaces, with the standard ports', () => {
    expect(config.receivers.otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317');
    expect(config.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
  });

  it('runs memory_limiter first and batch in traces and metrics', () => {
    for (const name of ['traces', 'metrics']) {
      const processors = pipelines[name]?.processors ?? [];
      expect(processors[0], `${name} starts with memory_limiter`).toBe('memory_limiter');
      expect(processors).toContain('batch');
    }
  });

  it('sends traces to Jaeger over OTLP and metrics to a Prometheus scrape endpoint with default suffixes', () => {
    const traceExporters = pipelines.traces!.exporters!.map((id) => [id, config.exporters[id]] as const);
    const jaeger = traceExporters.find(([id]) => componentType(id) === 'otlp');
    expect(jaeger, 'an otlp exporter in the traces pipeline').toBeDefined();
    expect(jaeger![1].endpoint).toBe('jaeger:4317');
    expect(pipelines.metrics!.exporters).toContain('prometheus');
    const prom = config.exporters.prometheus;
    expect(prom.endpoint).toBe('0.0.0.0:8889');
    // The dashboard queries gen_ai_usage_cost_USD_*: suffixes must stay on.
    expect(prom.add_metric_suffixes ?? true).toBe(true);
    expect(prom.translation_strategy ?? 'UnderscoreEscapingWithSuffixes').toBe('UnderscoreEscapingWithSuffixes');
    expect(prom.namespace).toBeUndefined();
  });
});

describe('collector-config/docker-compose.yaml', () => {
  const compose = readYaml('docker-compose.yaml');
  const services: Record<string, any> = compose.services;

  it('pins every image to a version', () => {
    expect(Object.keys(services).sort()).toEqual(['grafana', 'jaeger', 'otel-collector', 'prometheus']);
    for (const [name, service] of Object.entries(services)) {
      const image = String(service.image);
      const tag = image.split(':')[1];
      expect(tag, `${name} image ${image} has a tag`).toBeDefined();
      expect(tag, `${name} image is pinned`).toMatch(/^v?\d+\.\d+\.\d+/);
    }
    expect(services['otel-collector'].image).toBe(PINNED_COLLECTOR);
    expect(services.jaeger.image).toMatch(/^jaegertracing\/jaeger:2\./); // v2: OTLP-native
  });

  it('mounts the files in this directory where each service reads them', () => {
    const mounts = (svc: string): string[] => services[svc].volumes ?? [];
    const collectorMount = mounts('otel-collector').find((v) => v.startsWith('./otel-collector.yaml:'));
    expect(collectorMount).toBeDefined();
    expect(services['otel-collector'].command.join(' ')).toContain(`--config=${collectorMount!.split(':')[1]}`);
    const promMount = mounts('prometheus').find((v) => v.startsWith('./prometheus.yaml:'));
    expect(services.prometheus.command.join(' ')).toContain(`--config.file=${promMount!.split(':')[1]}`);
    for (const svc of Object.keys(services)) {
      for (const volume of mounts(svc)) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) expect(existsSync(join(DIR, source)), `${svc}: ${source}`).toBe(true);
      }
    }
  });

  it('publishes OTLP for the app, the Jaeger UI, Prometheus and Grafana', () => {
    const published = Object.values(services).flatMap((s: any) => (s.ports ?? []).map((p: string) => p.split(':')[0]));
    for (const port of ['4317', '4318', '16686', '9090', '3000']) expect(published).toContain(port);
  });

  it('has Prometheus scrape the Collector prometheus exporter', () => {
    const prom = readYaml('prometheus.yaml');
    const targets = prom.scrape_configs.flatMap((c: any) => c.static_configs.flatMap((s: any) => s.targets));
    const exporterPort = readYaml('otel-collector.yaml').exporters.prometheus.endpoint.split(':')[1];
    expect(targets).toContain(`otel-collector:${exporterPort}`);
  });

  it('provisions a Prometheus datasource and the dashboard that queries it', () => {
    const ds = readYaml('grafana/provisioning/datasources/datasources.yaml');
    const prometheus = ds.datasources.find((d: any) => d.type === 'prometheus');
    expect(prometheus.url).toBe('http://prometheus:9090');
    const providers = readYaml('grafana/provisioning/dashboards/dashboards.yaml').providers;
    const dashboardsMount = services.grafana.volumes.find((v: string) => v.startsWith('./grafana/dashboards:'));
    expect(dashboardsMount.split(':')[1]).toBe(providers[0].options.path);
    const dashboard = JSON.parse(readFileSync(join(DIR, 'grafana/dashboards/llm-cost.json'), 'utf8'));
    const uids = new Set<string>();
    for (const panel of dashboard.panels) {
      uids.add(panel.datasource.uid);
      for (const t of panel.targets) uids.add(t.datasource.uid);
    }
    // No hard-coded uid: every panel and query uses the datasource input, which an import into
    // another Grafana replaces (`__inputs`) and the provisioned stack resolves through the
    // datasource variable of the same name (its default: the provisioned default Prometheus).
    expect([...uids]).toEqual(['${DS_PROMETHEUS}']);
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
    ]);
    const dsVar = dashboard.templating.list.find((v: any) => v.name === 'DS_PROMETHEUS');
    expect(dsVar).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(prometheus.isDefault).toBe(true);
    for (const v of dashboard.templating.list.filter((v: any) => v.type === 'query')) {
      expect(v.datasource.uid).toBe('${DS_PROMETHEUS}');
    }
    expect(JSON.stringify(dashboard)).not.toContain(`"uid":"${prometheus.uid}"`);
  });
});
