import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { authorized, type Ingest } from './ingest.js';

const SERVICES = {
  traces: 'opentelemetry.proto.collector.trace.v1.TraceService',
  metrics: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
  logs: 'opentelemetry.proto.collector.logs.v1.LogsService',
} as const;

/** An empty `Export*ServiceResponse` (no partial success). */
const EMPTY_RESPONSE = Buffer.alloc(0);

export interface GrpcReceiverTls {
  certFile: string;
  keyFile: string;
}

/**
 * OTLP/gRPC receiver: the three `Export` methods, bodies kept as bytes (traces are decoded by
 * the gateway, metrics and logs pass through). Refusals map to the codes OTLP clients retry on
 * (UNAVAILABLE) or not (INVALID_ARGUMENT, UNAUTHENTICATED).
 */
export function createGrpcReceiver(gateway: Ingest): grpc.Server {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': gateway.maxBodyBytes,
  });
  for (const [signal, service] of Object.entries(SERVICES) as Array<[keyof typeof SERVICES, string]>) {
    const definition: grpc.ServiceDefinition = {
      Export: {
        path: `/${service}/Export`,
        requestStream: false,
        responseStream: false,
        requestSerialize: (value: Buffer) => value,
        requestDeserialize: (bytes: Buffer) => bytes,
        responseSerialize: (value: Buffer) => value,
        responseDeserialize: (bytes: Buffer) => bytes,
      },
    };
    server.addService(definition, {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        const auth = call.metadata.get('authorization')[0];
        if (!authorized(typeof auth === 'string' ? auth : undefined, gateway.bearerToken)) {
          gateway.refused('unauthorized');
          return callback({ code: grpc.status.UNAUTHENTICATED, details: 'missing or wrong bearer token' });
        }
        const result = gateway.ingest({ signal, encoding: 'protobuf', body: call.request });
        switch (result.kind) {
          case 'accepted':
            return callback(null, EMPTY_RESPONSE);
          case 'invalid':
            return callback({ code: grpc.status.INVALID_ARGUMENT, details: result.reason });
          case 'unsupported':
            return callback({ code: grpc.status.UNIMPLEMENTED, details: result.reason });
          case 'full':
            return callback({ code: grpc.status.UNAVAILABLE, details: 'queue full, retry later' });
          case 'unavailable':
            return callback({ code: grpc.status.UNAVAILABLE, details: result.reason });
        }
      },
    });
  }
  return server;
}

/** Binds `server` to `host:port`; resolves with the port bound. */
export function bindGrpc(server: grpc.Server, address: string, tls: GrpcReceiverTls | undefined): Promise<number> {
  const credentials = tls
    ? grpc.ServerCredentials.createSsl(
        null,
        [{ cert_chain: readFileSync(tls.certFile), private_key: readFileSync(tls.keyFile) }],
        false,
      )
    : grpc.ServerCredentials.createInsecure();
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (err, port) => (err ? reject(err) : resolve(port)));
  });
}
