package io.beamline.stream.rest;

import io.beamline.stream.config.StreamConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The client's address of a request: the peer, or the last untrusted hop of {@code X-Forwarded-For}
 * when the peer is a configured trusted proxy (a header from anyone else could be forged).
 */
@ApplicationScoped
public class ClientAddress {

  private record Block(byte[] network, int bits) {}

  private final List<Block> trusted = new ArrayList<>();

  @Inject
  public ClientAddress(StreamConfig config) {
    this(config.trustedProxies().orElse(List.of()));
  }

  /** With these trusted proxies (addresses or CIDR blocks). */
  ClientAddress(List<String> trustedProxies) {
    for (String entry : trustedProxies) {
      String value = entry.strip();
      if (value.isEmpty()) {
        continue;
      }
      String[] parts = value.split("/", 2);
      byte[] network = parse(parts[0]);
      if (network == null) {
        throw new IllegalArgumentException("beamline.stream.trusted-proxies: bad address " + value);
      }
      int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : network.length * 8;
      trusted.add(new Block(network, bits));
    }
  }

  /** The client address for a request from {@code peer} carrying {@code forwardedFor}. */
  public String resolve(String peer, String forwardedFor) {
    if (forwardedFor == null || forwardedFor.isBlank() || !isTrusted(peer)) {
      return peer;
    }
    String[] hops = forwardedFor.split(",");
    // Walk from the nearest hop back: the first address not of a trusted proxy is the client.
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].strip();
      if (parse(hop) == null) {
        return peer;
      }
      if (!isTrusted(hop)) {
        return hop;
      }
    }
    return hops[0].strip();
  }

  boolean isTrusted(String address) {
    byte[] bytes = parse(address);
    if (bytes == null) {
      return false;
    }
    for (Block block : trusted) {
      if (block.network.length == bytes.length && matches(block, bytes)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(Block block, byte[] address) {
    int total = address.length * 8;
    BigInteger mask =
        BigInteger.ONE
            .shiftLeft(total)
            .subtract(BigInteger.ONE)
            .shiftRight(block.bits)
            .xor(BigInteger.ONE.shiftLeft(total).subtract(BigInteger.ONE));
    return new BigInteger(1, address).and(mask).equals(new BigInteger(1, block.network).and(mask));
  }

  /** Literal IPv4/IPv6 only: never a name lookup. */
  private static byte[] parse(String literal) {
    if (literal == null
        || literal.isBlank()
        || !literal.matches("[0-9A-Fa-f:.]+")
        || (!literal.contains(":") && !literal.matches("\\d{1,3}(\\.\\d{1,3}){3}"))) {
      return null;
    }
    try {
      return InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
