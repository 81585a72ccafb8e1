/** Where a listener binds: `host:port` (an IPv6 host in brackets) or `unix:<path>`, as the config writes it. */
export type ListenTarget = { path: string } | { host: string; port: number };

/** Splits a validated `listen` setting; the schema has already refused anything else. */
export function parseListen(listen: string): ListenTarget {
  if (listen.startsWith('unix:')) return { path: listen.slice('unix:'.length) };
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i).replace(/^\[(.*)\]$/, '$1'), port: Number(listen.slice(i + 1)) };
}
