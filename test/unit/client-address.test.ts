import { canonicalAddress, createClientAddressResolver, limitGroupsOf, limitKeyOf, parseForwardedEntry, parseTrustProxy, type TrustProxySetting } from '../../src/http/client-address';

const PROXY = '10.0.0.5';
const clientOf = (setting: TrustProxySetting, socket: string | undefined, xff?: string | string[]) =>
  createClientAddressResolver(setting)(socket, xff ?? null);

describe('parseTrustProxy (GATEWAY_TRUST_PROXY)', () => {
  it.each<[string | undefined, TrustProxySetting]>([
    [undefined, false],
    ['', false],
    ['false', false],
    ['FALSE', false],
    ['no', false],
    ['0', false],
    ['true', true],
    ['True', true],
    ['yes', true],
    ['1', true],
    ['2', 2],
    [' 3 ', 3],
    ['10.0.0.0/8,192.168.1.7', ['10.0.0.0/8', '192.168.1.7']],
    ['10.0.0.0/8, 2001:db8::/32 , ::1', ['10.0.0.0/8', '2001:db8::/32', '::1']],
    ['loopback,uniquelocal', ['loopback', 'uniquelocal']],
    ['[2001:db8::1]', ['[2001:db8::1]']],
  ])('reads %j', (raw, expected) => {
    expect(parseTrustProxy(raw)).toEqual({ ok: true, value: expected });
  });

  it.each(['maybe', '10.0.0.0/33', '2001:db8::/129', '10.0.0.0/8,', '10.0.0.0/8,nonsense', '300.1.1.1', '-1', '21', '10.0.0.0/-1', '10.0.0.0/8/8', 'constructor', '1.2.3.4:80'])(
    'reports %j as a problem',
    (raw) => {
      const parsed = parseTrustProxy(raw);
      expect(parsed.ok).toBe(false);
    },
  );
});

describe('canonical addresses', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:1.2.3.4', '1.2.3.4'],
    ['::ffff:102:304', '1.2.3.4'],
    ['2001:DB8:0:0::1', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
  ])('%j → %j', (input, expected) => expect(canonicalAddress(input)).toBe(expected));

  it.each(['', 'unknown', '_hidden', 'example.com', '1.2.3', '01.2.3.4', '1.2.3.4.5', 'fe80::1%eth0', '"1.2.3.4"', '1.2.3.4 5.6.7.8'])('%j is not an address', (input) =>
    expect(canonicalAddress(input)).toBeUndefined(),
  );

  it.each([
    [' 1.2.3.4 ', '1.2.3.4'],
    ['1.2.3.4:5678', '1.2.3.4'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['[::ffff:1.2.3.4]:80', '1.2.3.4'],
    ['2001:db8::1', '2001:db8::1'],
  ])('reads the X-Forwarded-For element %j', (entry, expected) => expect(parseForwardedEntry(entry)).toBe(expected));

  it.each(['[1.2.3.4]', '[2001:db8::1', '1.2.3.4:', '1.2.3.4:port', 'for=1.2.3.4', 'unknown'])('refuses the element %j', (entry) =>
    expect(parseForwardedEntry(entry)).toBeUndefined(),
  );
});

describe('client address', () => {
  it('uses the socket peer only when no proxy is trusted', () => {
    expect(clientOf(false, '203.0.113.9', '198.51.100.1')).toBe('203.0.113.9');
    expect(clientOf(false, '::ffff:203.0.113.9', '198.51.100.1')).toBe('203.0.113.9');
    expect(clientOf(false, undefined, '198.51.100.1')).toBe('');
  });

  describe('one trusted hop (true): the right-most entry, which the proxy appended', () => {
    it.each<[string, string | string[] | undefined, string]>([
      ['no header: the socket peer (a request that bypassed the proxy)', undefined, PROXY],
      ['an empty header', '', PROXY],
      ['one entry', '198.51.100.7', '198.51.100.7'],
      ['a spoofed entry before the real one', '1.1.1.1, 198.51.100.7', '198.51.100.7'],
      ['many spoofed entries', '1.1.1.1,2.2.2.2,3.3.3.3 , 198.51.100.7', '198.51.100.7'],
      ['spoofs in a second header line', ['1.1.1.1', '198.51.100.7'], '198.51.100.7'],
      ['spoofs in several header lines', ['1.1.1.1, 2.2.2.2', '3.3.3.3', '198.51.100.7'], '198.51.100.7'],
      ['no spaces', '1.1.1.1,198.51.100.7', '198.51.100.7'],
      ['tabs and spaces', '1.1.1.1 ,\t198.51.100.7\t', '198.51.100.7'],
      ['empty elements', '1.1.1.1,, ,198.51.100.7,', '198.51.100.7'],
      ['a port', '1.1.1.1, 198.51.100.7:51234', '198.51.100.7'],
      ['bracketed IPv6 with a port', '1.1.1.1, [2001:db8::7]:443', '2001:db8::7'],
      ['bare IPv6', '1.1.1.1, 2001:DB8::7', '2001:db8::7'],
      ['an IPv4-mapped IPv6', '1.1.1.1, ::ffff:198.51.100.7', '198.51.100.7'],
      ['a garbage spoof', 'not-an-ip, 198.51.100.7', '198.51.100.7'],
      ['garbage where the proxy wrote: falls back to the proxy', '198.51.100.7, garbage', PROXY],
      ['"unknown" (RFC 7239 style) from the proxy', 'unknown', PROXY],
      ['a host name from the proxy', 'evil.example', PROXY],
    ])('%s', (_name, xff, expected) => {
      expect(clientOf(true, PROXY, xff)).toBe(expected);
      expect(clientOf(1, PROXY, xff)).toBe(expected);
    });
  });

  describe('two trusted hops', () => {
    it.each<[string, string | string[] | undefined, string]>([
      ['client, outer proxy', '198.51.100.7, 10.1.1.1', '198.51.100.7'],
      ['spoof, client, outer proxy', '6.6.6.6, 198.51.100.7, 10.1.1.1', '198.51.100.7'],
      ['spoof lines, client, outer proxy', ['6.6.6.6', '7.7.7.7', '198.51.100.7, 10.1.1.1'], '198.51.100.7'],
      ['only one entry: the left-most, written by a trusted proxy', '198.51.100.7', '198.51.100.7'],
      ['no header', undefined, PROXY],
      ['garbage as the client entry: the outer proxy', 'junk, 10.1.1.1', '10.1.1.1'],
    ])('%s', (_name, xff, expected) => expect(clientOf(2, PROXY, xff)).toBe(expected));
  });

  describe('a list of trusted proxies', () => {
    const list = ['10.0.0.0/8', '192.168.1.7', '2001:db8:ffff::/48'];
    it.each<[string, string, string | string[] | undefined, string]>([
      ['an untrusted peer: its own address, header ignored', '203.0.113.9', '1.1.1.1', '203.0.113.9'],
      ['a trusted peer', '10.0.0.5', '1.1.1.1, 198.51.100.7', '198.51.100.7'],
      ['a chain of trusted proxies', '10.0.0.5', '1.1.1.1, 198.51.100.7, 192.168.1.7, 10.9.9.9', '198.51.100.7'],
      ['a spoofed trusted address left of the client', '10.0.0.5', '10.2.2.2, 198.51.100.7', '198.51.100.7'],
      ['all trusted: the left-most entry', '10.0.0.5', '10.1.1.1, 10.2.2.2', '10.1.1.1'],
      ['an IPv6 proxy', '2001:db8:ffff::1', '2001:db8:1::9', '2001:db8:1::9'],
      ['an IPv4-mapped peer', '::ffff:10.0.0.5', '198.51.100.7', '198.51.100.7'],
      ['a mapped entry of a trusted proxy', '10.0.0.5', '198.51.100.7, ::ffff:192.168.1.7', '198.51.100.7'],
      ['a bracketed IPv6 proxy entry with port', '10.0.0.5', '198.51.100.7, [2001:db8:ffff::2]:8443', '198.51.100.7'],
      ['a near miss is not trusted', '10.0.0.5', '1.1.1.1, 192.168.1.8', '192.168.1.8'],
      ['garbage after a trusted hop: that hop', '10.0.0.5', '1.1.1.1, garbage', '10.0.0.5'],
    ])('%s', (_name, socket, xff, expected) => expect(clientOf(list, socket, xff)).toBe(expected));

    it('understands named ranges', () => {
      expect(clientOf(['loopback'], '127.0.0.1', '198.51.100.7')).toBe('198.51.100.7');
      expect(clientOf(['loopback'], '::1', '198.51.100.7')).toBe('198.51.100.7');
      expect(clientOf(['uniquelocal'], '172.20.0.3', '1.1.1.1, 198.51.100.7')).toBe('198.51.100.7');
      expect(clientOf(['uniquelocal'], '172.32.0.3', '198.51.100.7')).toBe('172.32.0.3');
    });

    it('without a socket address trusts nothing', () => expect(clientOf(list, undefined, '198.51.100.7')).toBe(''));
  });

  it('never returns client-chosen text, whatever the header holds', () => {
    const hostile = ['x'.repeat(5000), '1.1.1.1\r\nX: y', '<script>', '../../etc', "'; DROP TABLE", '1.1.1.1%00'];
    for (const setting of [true, 2, ['10.0.0.0/8']] as TrustProxySetting[]) {
      for (const value of hostile) {
        const address = clientOf(setting, PROXY, `${value}, ${value}`);
        expect([PROXY, '']).toContain(address);
      }
    }
  });
});

describe('limitKeyOf (what per-address limits count by)', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1:2', 'fe80:0:0:0::/64'],
  ])('%s → %s', (address, key) => {
    expect(limitKeyOf(address)).toBe(key);
  });

  it('puts every address of one /64 under one key, and neighbouring /64s under others', () => {
    const keys = new Set(Array.from({ length: 50 }, (_, i) => limitKeyOf(`2001:db8:aa:bb:${i.toString(16)}::${(i * 7).toString(16)}`)));
    expect(keys).toEqual(new Set(['2001:db8:aa:bb::/64']));
    expect(limitKeyOf('2001:db8:aa:bc::1')).not.toBe(limitKeyOf('2001:db8:aa:bb::1'));
  });
});

describe('limitGroupsOf (the wider groups a per-address limit also counts by)', () => {
  const keys = (address: string) => limitGroupsOf(address).map((group) => group.key);

  it.each([
    ['203.0.113.7', ['203.0.113.7', '203.0.113.0/24']],
    ['2001:db8:1:2:3:4:5:6', ['2001:db8:1:2::/64', '2001:db8:1:0::/56', '2001:db8:1::/48']],
    ['2001:db8:1:2ff:3::', ['2001:db8:1:2ff::/64', '2001:db8:1:200::/56', '2001:db8:1::/48']],
    ['2001:db8:abcd:12ab::1', ['2001:db8:abcd:12ab::/64', '2001:db8:abcd:1200::/56', '2001:db8:abcd::/48']],
    ['::1', ['0:0:0:0::/64', '0:0:0:0::/56', '0:0:0::/48']],
    ['::ffff:0:1.2.3.4', ['0:0:0:0::/64', '0:0:0:0::/56', '0:0:0::/48']],
    ['', ['']],
  ])('%s → %j', (address, expected) => {
    expect(keys(address)).toEqual(expected);
  });

  it('256 /64s of one /56 share their /56 and /48; the next /56 shares only the /48', () => {
    const groups = Array.from({ length: 256 }, (_, i) => keys(`2001:db8:7:${(0x4200 + i).toString(16)}::1`));
    expect(new Set(groups.map((g) => g[0])).size).toBe(256);
    expect(new Set(groups.map((g) => g[1]))).toEqual(new Set(['2001:db8:7:4200::/56']));
    expect(new Set(groups.map((g) => g[2]))).toEqual(new Set(['2001:db8:7::/48']));
    const next = keys('2001:db8:7:4300::1');
    expect(next[1]).not.toBe(groups[0][1]);
    expect(next[2]).toBe(groups[0][2]);
  });

  it('every address of an IPv4 /24 shares the /24, and wider groups have larger allowances', () => {
    expect(new Set(Array.from({ length: 256 }, (_, i) => keys(`198.51.100.${i}`)[1]))).toEqual(new Set(['198.51.100.0/24']));
    for (const address of ['198.51.100.9', '2001:db8::1']) {
      const [own, ...wider] = limitGroupsOf(address);
      expect(own).toMatchObject({ scale: 1, wide: false });
      for (const group of wider) expect(group).toMatchObject({ wide: true, scale: expect.any(Number) });
      const scales = limitGroupsOf(address).map((group) => group.scale);
      expect([...scales].sort((a, b) => a - b)).toEqual(scales);
      expect(new Set(scales).size).toBe(scales.length);
    }
  });
});
