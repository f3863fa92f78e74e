import { createServer, type Server } from 'node:http';

export interface Metric {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  value: number;
  labels?: Record<string, string>;
}

export interface HealthReport {
  status: 'UP' | 'DOWN';
  [detail: string]: unknown;
}

/**
 * `/health` (JSON, 200 when UP, 503 when DOWN) and `/metrics` (Prometheus text format) for the name
 * server and the broker.
 */
export class HttpEndpoint {
  private server: Server | undefined;

  constructor(
    private readonly health: () => HealthReport,
    private readonly metrics: () => Metric[],
  ) {}

  start(port: number, host: string): Promise<number> {
    const server = createServer((req, res) => {
      if (req.url === '/health') {
        const h = this.health();
        res.writeHead(h.status === 'UP' ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify(h));
      } else if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(formatMetrics(this.metrics()));
      } else {
        res.writeHead(404).end();
      }
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        const a = server.address();
        resolve(typeof a === 'object' && a ? a.port : port);
      });
    });
  }

  stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    return s ? new Promise((resolve) => s.close(() => resolve())) : Promise.resolve();
  }
}

export function formatMetrics(metrics: Metric[]): string {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const m of metrics) {
    if (!seen.has(m.name)) {
      out.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`);
      seen.add(m.name);
    }
    const labels = m.labels
      ? `{${Object.entries(m.labels)
          .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
          .join(',')}}`
      : '';
    out.push(`${m.name}${labels} ${m.value}`);
  }
  return out.join('\n') + '\n';
}
