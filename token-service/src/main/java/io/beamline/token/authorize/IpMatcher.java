package io.beamline.token.authorize;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.ipv4.IPv4AddressTrie;
import inet.ipaddr.ipv6.IPv6AddressTrie;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token's allowed client addresses (IPv4 and IPv6, single addresses and CIDR blocks), compiled
 * once into one binary trie per family, so a lookup costs at most 32 or 128 steps whatever the
 * number of ranges. An empty list allows every address.
 */
public final class IpMatcher {

  private static final IpMatcher ANY = new IpMatcher(null, null);

  private final IPv4AddressTrie v4;
  private final IPv6AddressTrie v6;

  private IpMatcher(IPv4AddressTrie v4, IPv6AddressTrie v6) {
    this.v4 = v4;
    this.v6 = v6;
  }

  /**
   * Compiles the entries; {@code 10.1.2.3/8} counts as the block {@code 10.0.0.0/8}.
   *
   * @throws IllegalArgumentException naming the first entry that is not an address or CIDR block
   */
  public static IpMatcher compile(List<String> entries) {
    if (entries == null || entries.isEmpty()) {
      return ANY;
    }
    IpMatcher shared = SHARED.get(entries);
    if (shared != null) {
      return shared;
    }
    IpMatcher compiled = build(entries);
    Interning.put(SHARED, List.copyOf(entries), compiled);
    return compiled;
  }

  /**
   * Tokens often share one allow-list (a partner's ranges, an office): they share one compiled
   * matcher too, which keeps a million tokens in memory.
   */
  private static final Map<List<String>, IpMatcher> SHARED = new ConcurrentHashMap<>();

  private static IpMatcher build(List<String> entries) {
    IPv4AddressTrie v4 = new IPv4AddressTrie();
    IPv6AddressTrie v6 = new IPv6AddressTrie();
    for (String entry : entries) {
      IPAddress block = parseBlock(entry);
      if (block.isIPv4()) {
        v4.add(block.toIPv4());
      } else {
        v6.add(block.toIPv6());
      }
    }
    return new IpMatcher(v4, v6);
  }

  /**
   * Parses an allow-list entry: one address or a CIDR block, normalised to its prefix block.
   *
   * @throws IllegalArgumentException if it is neither
   */
  public static IPAddress parseBlock(String entry) {
    IPAddress address = entry == null ? null : new IPAddressString(entry.trim()).getAddress();
    if (address == null || (!address.isIPv4() && !address.isIPv6())) {
      throw new IllegalArgumentException("not an IP address or CIDR block: " + entry);
    }
    if (address.isPrefixed()) {
      address = address.toPrefixBlock();
    }
    return ClientAddress.unmapped(address);
  }

  public boolean restricts() {
    return v4 != null;
  }

  /** Whether the (already parsed and unmapped) client address lies in an allowed range. */
  public boolean allows(IPAddress client) {
    if (v4 == null) {
      return true;
    }
    if (client == null) {
      return false;
    }
    return client.isIPv4()
        ? v4.elementContains(client.toIPv4())
        : v6.elementContains(client.toIPv6());
  }
}
