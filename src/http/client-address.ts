import { BlockList, isIP, isIPv4, isIPv6 } from 'node:net';

/**
 * Which proxies in front of the gateway may report the client's address in `X-Forwarded-For`:
 * - `false`: none, the socket peer is the client;
 * - `true` or a number n ≥ 1: the last n hops (the socket peer and the n−1 right-most entries) are trusted proxies;
 * - a list of addresses/CIDRs: hops whose address is in the list are trusted proxies.
 * The same model as Express's `trust proxy` (expressjs.com/en/guide/behind-proxies.html) and Envoy's
 * `xff_num_trusted_hops`. A proxy appends the address of its own peer to `X-Forwarded-For` (it does not
 * replace the header), so everything left of the entry the last trusted proxy wrote is client-chosen text.
 */
export type TrustProxySetting = boolean | number | readonly string[];

/** The most hops a count may trust: more than this is a mistake, not a deployment. */
export const MAX_TRUSTED_HOPS = 20;

/**
 * Named ranges accepted in a list, as Express accepts them: RFC 1122 §3.2.1.3 / RFC 4291 (loopback),
 * RFC 3927 / RFC 4291 (link-local), RFC 1918 / RFC 4193 (unique local).
 */
const NAMED_RANGES: ReadonlyMap<string, readonly string[]> = new Map([
  ['loopback', ['127.0.0.0/8', '::1/128']],
  ['linklocal', ['169.254.0.0/16', 'fe80::/10']],
  ['uniquelocal', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']],
]);

/** An IP address in one canonical text form (IPv4 dotted quad; IPv6 lower case, compressed; IPv4-mapped as IPv4), or undefined. */
export function canonicalAddress(text: string): string | undefined {
  // Zone ids (`fe80::1%eth0`) name an interface of the sender: meaningless here, and not header-safe.
  if (text.includes('%')) return undefined;
  const family = isIP(text);
  if (family === 4) return text;
  if (family !== 6) return undefined;
  // RFC 4291 §2.5.5.2: an IPv4-mapped IPv6 address is the IPv4 client of a dual-stack socket.
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(text);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  // The WHATWG URL serializer prints IPv6 in RFC 5952 form: one spelling per address.
  const canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (hexMapped) {
    const high = parseInt(hexMapped[1], 16);
    const low = parseInt(hexMapped[2], 16);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return canonical;
}

/**
 * One `X-Forwarded-For` element as an address: surrounding spaces, an IPv4 `:port`, and IPv6 in brackets
 * (`[2001:db8::1]:443`) are accepted; anything else (names, `unknown`, obfuscated ids, quoted strings) is undefined.
 */
export function parseForwardedEntry(entry: string): string | undefined {
  const text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) return isIP(bracketed[1]) === 6 ? canonicalAddress(bracketed[1]) : undefined;
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  return canonicalAddress(withPort ? withPort[1] : text);
}

/**
 * The hops of a request, nearest first: the socket peer, then `X-Forwarded-For` elements right to left.
 * Several `X-Forwarded-For` header lines form one list in order (RFC 9110 §5.3); empty elements are
 * ignored (RFC 9110 §5.6.1). Elements are kept as text: they are parsed only when the walk reaches them.
 */
function forwardedElements(forwardedFor: string | readonly string[] | null | undefined): string[] {
  if (forwardedFor === null || forwardedFor === undefined) return [];
  const lines = typeof forwardedFor === 'string' ? [forwardedFor] : forwardedFor;
  return lines
    .flatMap((line) => line.split(','))
    .map((element) => element.trim())
    .filter((element) => element !== '')
    .reverse();
}

export type TrustProxyParse = { ok: true; value: TrustProxySetting } | { ok: false; problem: string };

/** A CIDR (`10.0.0.0/8`, `2001:db8::/32`) or a single address, in the form a BlockList takes; undefined when invalid. */
function parseRange(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address, prefixText, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const canonical = canonicalAddress(address.replace(/^\[(.*)\]$/, '$1'));
  if (canonical === undefined) return undefined;
  const family = isIP(canonical) === 4 ? 'ipv4' : 'ipv6';
  const max = family === 'ipv4' ? 32 : 128;
  if (prefixText === undefined) return { address: canonical, prefix: max, family };
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  // A mapped IPv4 range (`::ffff:10.0.0.0/104`) was canonicalised to IPv4: its prefix counts IPv4 bits now.
  const mappedShift = family === 'ipv4' && isIP(address.replace(/^\[(.*)\]$/, '$1')) === 6 ? 96 : 0;
  const bits = prefix - mappedShift;
  if (bits < 0 || bits > max) return undefined;
  return { address: canonical, prefix: bits, family };
}

/**
 * `GATEWAY_TRUST_PROXY`: `true`/`false` (also yes/no), a hop count, or a comma-separated list of proxy
 * addresses and CIDRs (IPv4 and IPv6) and the names loopback, linklocal, uniquelocal.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxyParse {
  const text = raw?.trim() ?? '';
  const lower = text.toLowerCase();
  if (lower === '' || lower === 'false' || lower === 'no' || lower === '0') return { ok: true, value: false };
  if (lower === 'true' || lower === 'yes') return { ok: true, value: true };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > MAX_TRUSTED_HOPS) return { ok: false, problem: `a hop count must be between 0 and ${MAX_TRUSTED_HOPS} (got "${text}")` };
    return { ok: true, value: hops === 1 ? true : hops };
  }
  const entries = text.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !NAMED_RANGES.has(entry.toLowerCase()) && parseRange(entry) === undefined);
  if (bad.length > 0) {
    return { ok: false, problem: `entries must be IP addresses, CIDRs or loopback/linklocal/uniquelocal (not ${bad.map((b) => JSON.stringify(b)).join(', ')})` };
  }
  return { ok: true, value: entries.map((entry) => entry.toLowerCase()) };
}

/** Decides, per hop, whether it is a trusted proxy: by position (hop counts) or by address (lists). */
function trustTest(setting: TrustProxySetting): (address: string | undefined, position: number) => boolean {
  if (setting === false) return () => false;
  if (setting === true || typeof setting === 'number') {
    const hops = setting === true ? 1 : setting;
    return (_address, position) => position < hops;
  }
  const list = new BlockList();
  for (const entry of setting) {
    for (const range of NAMED_RANGES.get(entry) ?? [entry]) {
      const parsed = parseRange(range);
      if (parsed) list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
  }
  return (address) => address !== undefined && list.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
}

/** Whether a socket peer is a trusted proxy, whose connections carry many clients (never capped as one). */
export function createTrustedPeerTest(setting: TrustProxySetting): (socketAddress: string) => boolean {
  const trusted = trustTest(setting);
  return (socketAddress) => trusted(canonicalAddress(socketAddress), 0);
}

/** Computes the client's address from the socket peer and the `X-Forwarded-For` header(s) of one request. */
export type ClientAddressResolver = (socketAddress: string | undefined, forwardedFor: string | readonly string[] | null | undefined) => string;

/**
 * The client address is the nearest hop that is not a trusted proxy: walking from the socket peer leftwards
 * through `X-Forwarded-For`, every trusted hop vouches for the next entry, and the first untrusted one is the
 * client. Entries further left were written by the client and are never read.
 * - When every hop is trusted, the left-most entry is the client (it was written by a trusted proxy).
 * - An entry that is not an IP address ends the walk: it cannot be a proxy we trust, and it cannot be sent on
 *   as an address (rate-limit key, `True-Client-IP`, `request_ip`), so the hop that reported it — the last
 *   address known to be real — is used instead. Garbage therefore never lets a client choose its address.
 * - Without a socket address (in-process requests) hop 0 is unknown: trusted only by a hop count.
 * The result is '' only when nothing real is known.
 */
export function createClientAddressResolver(setting: TrustProxySetting): ClientAddressResolver {
  const trusted = trustTest(setting);
  return (socketAddress, forwardedFor) => {
    const socket = socketAddress === undefined ? undefined : canonicalAddress(socketAddress);
    if (setting === false) return socket ?? '';
    let client = socket;
    if (!trusted(socket, 0)) return client ?? '';
    const elements = forwardedElements(forwardedFor);
    for (let index = 0; index < elements.length; index++) {
      const address = parseForwardedEntry(elements[index]);
      if (address === undefined) break;
      client = address;
      if (!trusted(address, index + 1)) break;
    }
    return client ?? '';
  };
}

/** One group a per-address limit counts an address in, and its allowance as a multiple of one address's. */
export interface LimitGroup {
  key: string;
  scale: number;
  /** False only for the address itself (an IPv4 address, an IPv6 /64). */
  wide: boolean;
}

/**
 * Allowance of each wider group, in addresses' worth: an IPv6 /56 is what one subscriber is often given and a /48
 * one site (RFC 6177), so one client can take a new /64 for every request inside them; an IPv4 /24 is the smallest
 * block that is routed on its own. Larger than one address, so neighbours behind one block keep room.
 */
const IPV6_GROUPS = [
  { bits: 56, scale: 4 },
  { bits: 48, scale: 16 },
] as const;
const IPV4_BLOCK_SCALE = 8;

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail taken as two). */
function ipv6Groups(address: string): number[] {
  const [head, tail = ''] = address.split('::');
  const parse = (part: string) =>
    part
      ? part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16) || 0];
          const [a, b, c, d] = group.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        })
      : [];
  const left = parse(head);
  const right = parse(tail);
  const zeros = address.includes('::') ? Array<number>(Math.max(0, 8 - left.length - right.length)).fill(0) : [];
  return [...left, ...zeros, ...right].slice(0, 8);
}

/** The IPv6 prefix of `bits` (a multiple of 8) containing the address, e.g. `2001:db8:0:ab00::/56`. */
function ipv6Prefix(groups: number[], bits: number): string {
  const kept = groups.slice(0, Math.ceil(bits / 16)).map((group, index) => {
    const spare = (index + 1) * 16 - bits;
    return spare > 0 ? group & (0xffff << spare) & 0xffff : group;
  });
  return `${kept.map((group) => group.toString(16)).join(':')}::/${bits}`;
}

/**
 * The groups per-address limits count an address in, narrowest first: an IPv4 address and its /24; an IPv6
 * address by its /64 — the block one subscriber or host is typically given, inside which a client can pick a
 * new address for every request — and the /56 and /48 around it. A limit holds for each group with the group's
 * own, larger allowance, so a client spreading over many /64s (or many addresses of a /24) still meets one bound.
 */
export function limitGroupsOf(address: string): LimitGroup[] {
  if (isIPv6(address)) {
    const groups = ipv6Groups(address);
    return [
      { key: ipv6Prefix(groups, 64), scale: 1, wide: false },
      ...IPV6_GROUPS.map(({ bits, scale }) => ({ key: ipv6Prefix(groups, bits), scale, wide: true })),
    ];
  }
  if (isIPv4(address)) {
    return [
      { key: address, scale: 1, wide: false },
      { key: `${address.split('.').slice(0, 3).join('.')}.0/24`, scale: IPV4_BLOCK_SCALE, wide: true },
    ];
  }
  return [{ key: address, scale: 1, wide: false }];
}

/** What per-address limits count one address by (its narrowest group: an IPv4 address, an IPv6 /64). */
export function limitKeyOf(address: string): string {
  return limitGroupsOf(address)[0].key;
}
