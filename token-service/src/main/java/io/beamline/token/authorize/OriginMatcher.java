package io.beamline.token.authorize;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token's allowed origins, compiled once: exact host names and {@code *.example.com} wildcards
 * (any subdomain of example.com, not example.com itself). An empty list allows any origin.
 */
public final class OriginMatcher {

  private static final OriginMatcher ANY = new OriginMatcher(true, Set.of(), List.of());

  private final boolean any;
  private final Set<String> hosts;
  private final List<String> suffixes;

  private OriginMatcher(boolean any, Set<String> hosts, List<String> suffixes) {
    this.any = any;
    this.hosts = hosts;
    this.suffixes = suffixes;
  }

  public static OriginMatcher compile(List<String> allowedOrigins) {
    if (allowedOrigins == null || allowedOrigins.isEmpty()) {
      return ANY;
    }
    OriginMatcher shared = SHARED.get(allowedOrigins);
    if (shared != null) {
      return shared;
    }
    OriginMatcher compiled = build(allowedOrigins);
    Interning.put(SHARED, List.copyOf(allowedOrigins), compiled);
    return compiled;
  }

  /** Tokens sharing an allow-list share its compiled form (see {@link IpMatcher}). */
  private static final Map<List<String>, OriginMatcher> SHARED = new ConcurrentHashMap<>();

  private static OriginMatcher build(List<String> allowedOrigins) {
    Set<String> hosts = new HashSet<>();
    List<String> suffixes = new ArrayList<>();
    for (String entry : allowedOrigins) {
      String host = host(entry);
      if (host == null) {
        continue;
      }
      if (host.equals("*")) {
        return ANY;
      }
      if (host.startsWith("*.")) {
        suffixes.add(host.substring(1));
      } else {
        hosts.add(host);
      }
    }
    return new OriginMatcher(false, Set.copyOf(hosts), List.copyOf(suffixes));
  }

  /** An empty matcher allows every request, including one without an Origin. */
  public boolean restricts() {
    return !any;
  }

  /**
   * Whether the origin (a browser {@code Origin} such as {@code https://app.example.com:8443}, or a
   * bare host) is allowed. A restricted token refuses a request without an Origin.
   */
  public boolean allows(String origin) {
    if (any) {
      return true;
    }
    String host = host(origin);
    if (host == null) {
      return false;
    }
    if (hosts.contains(host)) {
      return true;
    }
    for (String suffix : suffixes) {
      if (host.endsWith(suffix) && host.length() > suffix.length()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The lower-case host of an origin or allow-list entry: no scheme, port, path or dot at the end.
   */
  static String host(String origin) {
    if (origin == null) {
      return null;
    }
    String s = origin.trim().toLowerCase(Locale.ROOT);
    int scheme = s.indexOf("://");
    if (scheme >= 0) {
      s = s.substring(scheme + 3);
    }
    int slash = s.indexOf('/');
    if (slash >= 0) {
      s = s.substring(0, slash);
    }
    int at = s.lastIndexOf('@');
    if (at >= 0) {
      s = s.substring(at + 1);
    }
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      s = close > 0 ? s.substring(0, close + 1) : s;
    } else {
      int colon = s.indexOf(':');
      if (colon >= 0 && s.indexOf(':', colon + 1) < 0) {
        s = s.substring(0, colon);
      }
    }
    if (s.endsWith(".")) {
      s = s.substring(0, s.length() - 1);
    }
    return s.isEmpty() || s.equals("null") ? null : s;
  }
}
