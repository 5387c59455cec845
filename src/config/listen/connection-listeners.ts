// gRPC listeners (ConfigBatchListenRequest): which connection listens to which key, both ways, so a
// change finds its listeners and a closed connection drops all of its own in one step.

/** How the client named the key; echoed in ConfigChangeNotifyRequest. */
export interface ListenTarget {
  dataId: string;
  group: string;
  /** The tenant as the client wrote it. */
  tenant: string;
  /** What the client last said it holds, and from where (console listener query). */
  md5: string;
  clientIp: string;
}

export class ConnectionListeners {
  private readonly byKey = new Map<string, Map<string, ListenTarget>>();
  private readonly byConnection = new Map<string, Set<string>>();

  listen(connectionId: string, key: string, target: ListenTarget): void {
    let listeners = this.byKey.get(key);
    if (!listeners) {
      listeners = new Map();
      this.byKey.set(key, listeners);
    }
    listeners.set(connectionId, target);
    let keys = this.byConnection.get(connectionId);
    if (!keys) {
      keys = new Set();
      this.byConnection.set(connectionId, keys);
    }
    keys.add(key);
  }

  unlisten(connectionId: string, key: string): void {
    const listeners = this.byKey.get(key);
    if (listeners?.delete(connectionId) && listeners.size === 0) this.byKey.delete(key);
    const keys = this.byConnection.get(connectionId);
    if (keys?.delete(key) && keys.size === 0) this.byConnection.delete(connectionId);
  }

  /** Forgets every key of a connection (it closed). */
  dropConnection(connectionId: string): void {
    const keys = this.byConnection.get(connectionId);
    if (!keys) return;
    this.byConnection.delete(connectionId);
    for (const key of keys) {
      const listeners = this.byKey.get(key);
      if (listeners?.delete(connectionId) && listeners.size === 0) this.byKey.delete(key);
    }
  }

  listenersOf(key: string): ReadonlyMap<string, ListenTarget> | undefined {
    return this.byKey.get(key);
  }

  keysOf(connectionId: string): ReadonlySet<string> | undefined {
    return this.byConnection.get(connectionId);
  }

  get connectionCount(): number {
    return this.byConnection.size;
  }

  get keyCount(): number {
    return this.byKey.size;
  }
}
