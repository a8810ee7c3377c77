// The hooks registered through /v3/hooks, in memory (forgotten on restart, like the rest of the sandbox's state).
import { scopeMatches } from './webhook-events';

export interface WebhookRecord {
  id: number;
  clientId: string;
  storeHash: string;
  scope: string;
  destination: string;
  /** Sent with every callback (developer.bigcommerce.com/docs/integrations/webhooks, "Security"); null when none. */
  headers: Record<string, string> | null;
  isActive: boolean;
  eventsHistoryEnabled: boolean;
  /** Unix seconds. */
  createdAt: number;
  updatedAt: number;
}

export type WebhookFields = Pick<WebhookRecord, 'scope' | 'destination' | 'headers' | 'isActive' | 'eventsHistoryEnabled'>;

export class WebhookRegistry {
  private readonly hooks = new Map<number, WebhookRecord>();
  private nextId = 1;

  constructor(
    private readonly clientId: string,
    private readonly storeHash: string,
    private readonly now: () => number,
  ) {}

  all(): WebhookRecord[] {
    return [...this.hooks.values()];
  }

  get(id: number): WebhookRecord | undefined {
    return this.hooks.get(id);
  }

  create(fields: WebhookFields): WebhookRecord {
    const t = Math.floor(this.now() / 1000);
    const hook: WebhookRecord = { id: this.nextId++, clientId: this.clientId, storeHash: this.storeHash, ...fields, createdAt: t, updatedAt: t };
    this.hooks.set(hook.id, hook);
    return hook;
  }

  update(id: number, fields: Partial<WebhookFields>): WebhookRecord | undefined {
    const hook = this.hooks.get(id);
    if (!hook) return undefined;
    Object.assign(hook, fields, { updatedAt: Math.floor(this.now() / 1000) });
    return hook;
  }

  delete(id: number): WebhookRecord | undefined {
    const hook = this.hooks.get(id);
    this.hooks.delete(id);
    return hook;
  }

  /** Active hooks an event of `scope` goes to. */
  activeFor(scope: string): WebhookRecord[] {
    return this.all().filter((h) => h.isActive && scopeMatches(h.scope, scope));
  }
}
