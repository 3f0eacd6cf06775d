package io.beamline.syndication.service;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.beamline.syndication.config.SyndicationConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The SSRF guard: refuses restream targets whose host resolves to loopback, private, link-local,
 * unspecified, multicast or reserved addresses, unless configuration allows them. Checked when a
 * target is created and again before every connection, since DNS answers can change in between.
 */
@ApplicationScoped
public class TargetAddressGuard {

  /** Address ranges a target must not reach by default. */
  private static final List<IPAddress> RESTRICTED =
      parse(
          List.of(
              "0.0.0.0/8",
              "10.0.0.0/8",
              "100.64.0.0/10",
              "127.0.0.0/8",
              "169.254.0.0/16",
              "172.16.0.0/12",
              "192.0.0.0/24",
              "192.168.0.0/16",
              "198.18.0.0/15",
              "224.0.0.0/4",
              "240.0.0.0/4",
              "::/128",
              "::1/128",
              "fc00::/7",
              "fe80::/10",
              "fec0::/10",
              "ff00::/8"));

  private final boolean allowPrivate;
  private final List<IPAddress> allowed;

  @Inject
  public TargetAddressGuard(SyndicationConfig config) {
    this(config.allowPrivateTargets(), config.allowedTargetCidrs().orElse(List.of()));
  }

  TargetAddressGuard(boolean allowPrivate, List<String> allowedRanges) {
    this.allowPrivate = allowPrivate;
    this.allowed = parse(allowedRanges);
  }

  /**
   * Resolves the host of {@code url} and checks every address it has.
   *
   * @throws BlockedTargetException naming why the target may not be used
   */
  public void check(String url) {
    String host;
    try {
      host = URI.create(url).getHost();
    } catch (IllegalArgumentException e) {
      throw new BlockedTargetException("invalid-url", "the target URL is not a valid URL");
    }
    if (host == null) {
      throw new BlockedTargetException("unresolvable-host", "the URL has no host");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new BlockedTargetException("unresolvable-host", "host " + host + " does not resolve");
    }
    for (InetAddress address : addresses) {
      if (!permitted(address)) {
        throw new BlockedTargetException(
            "blocked-address",
            "host "
                + host
                + " resolves to "
                + address.getHostAddress()
                + ", a loopback, private, link-local or reserved address; targets must be"
                + " public unless the operator allows it");
      }
    }
  }

  /** Whether one resolved address may be pushed to. */
  boolean permitted(InetAddress address) {
    IPAddress ip = new IPAddressString(address.getHostAddress()).getAddress();
    if (ip == null) {
      return false;
    }
    // ::ffff:a.b.c.d reaches the IPv4 host a.b.c.d: judge that one.
    if (ip.isIPv6() && ip.toIPv6().isIPv4Mapped()) {
      ip = ip.toIPv6().getEmbeddedIPv4Address();
    }
    for (IPAddress range : allowed) {
      if (range.getIPVersion() == ip.getIPVersion() && range.contains(ip)) {
        return true;
      }
    }
    if (allowPrivate) {
      return true;
    }
    for (IPAddress range : RESTRICTED) {
      if (range.getIPVersion() == ip.getIPVersion() && range.contains(ip)) {
        return false;
      }
    }
    return true;
  }

  private static List<IPAddress> parse(List<String> ranges) {
    return ranges.stream()
        .map(
            r -> {
              IPAddress ip = new IPAddressString(r.strip()).getAddress();
              if (ip == null) {
                throw new IllegalArgumentException("not an address or CIDR range: " + r);
              }
              return ip.toPrefixBlock();
            })
        .toList();
  }

  /** A target the guard refuses; {@link #reason()} is a short, secret-free code. */
  public static final class BlockedTargetException extends RuntimeException {
    private final String reason;

    public BlockedTargetException(String reason, String message) {
      super(message);
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }
  }
}
