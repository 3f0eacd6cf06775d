package io.beamline.token.service;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import inet.ipaddr.AddressStringException;
import inet.ipaddr.AddressStringParameters.RangeParameters;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.IPAddressStringParameters;
import io.beamline.platform.problem.Problem;
import io.beamline.token.RestreamTarget;
import io.beamline.token.TokenStream;
import io.beamline.token.config.TokensConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The validation rules of token fields: each check normalises what it accepts and records, for what
 * it refuses, the field's JSON path and why.
 */
@ApplicationScoped
public class TokenRules {

  /** Longest label, stream name, origin, address, cluster or tracking id (reference: 128). */
  public static final int MAX_LENGTH = 128;

  private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

  /**
   * Strict IP syntax: one IPv4 or IPv6 address, optionally with a CIDR prefix length. No ranges,
   * wildcards, masks, inet_aton forms or leading zeros (which some parsers read as octal).
   */
  private static final IPAddressStringParameters IP_SYNTAX =
      new IPAddressStringParameters.Builder()
          .allowEmpty(false)
          .allowAll(false)
          .allowSingleSegment(false)
          .allowMask(false)
          .allowPrefixOnly(false)
          .allowWildcardedSeparator(false)
          .setRangeOptions(RangeParameters.NO_RANGE)
          .allow_inet_aton(false)
          .getIPv4AddressParametersBuilder()
          .allowLeadingZeros(false)
          .allowBinary(false)
          .getParentBuilder()
          .toParams();

  /** A DNS host name, optionally a {@code *.} wildcard, optionally with scheme and port. */
  private static final java.util.regex.Pattern ORIGIN =
      java.util.regex.Pattern.compile(
          "^(?:(https?)://)?(\\*\\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
              + "(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*)(?::(\\d{1,5}))?$");

  private static final java.util.regex.Pattern CLUSTER =
      java.util.regex.Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_-]*$");

  private static final Set<String> RESTREAM_SCHEMES = Set.of("rtmp", "rtmps", "srt");

  private final TokensConfig config;

  public TokenRules(TokensConfig config) {
    this.config = config;
  }

  /** Collects the field errors of one request. */
  public static final class Errors {
    private final List<Problem.FieldError> list = new ArrayList<>();

    public void add(String field, String message) {
      list.add(new Problem.FieldError(field, message));
    }

    public boolean isEmpty() {
      return list.isEmpty();
    }

    public boolean has(String fieldPrefix) {
      return list.stream().anyMatch(e -> e.field().startsWith(fieldPrefix));
    }

    /** Throws the collected errors as one validation problem, if there are any. */
    public void throwIfAny() {
      if (!list.isEmpty()) {
        throw new TokenValidationException(list);
      }
    }
  }

  public String label(String value, String field, Errors errors) {
    if (value == null || value.isBlank()) {
      errors.add(field, "must not be blank");
      return null;
    }
    if (value.length() > MAX_LENGTH) {
      errors.add(field, "must be at most " + MAX_LENGTH + " characters");
      return null;
    }
    if (hasControl(value)) {
      errors.add(field, "must not contain control characters");
      return null;
    }
    return value;
  }

  /** Validates one stream entry; regexes must compile with RE2J (linear-time, no backtracking). */
  public TokenStream stream(TokenStream entry, String field, Errors errors) {
    if (entry == null) {
      errors.add(field, "must not be null");
      return null;
    }
    String name = entry.streamName();
    if (name == null || name.isEmpty()) {
      errors.add(field + ".streamName", "must not be empty");
      return null;
    }
    if (name.length() > MAX_LENGTH) {
      errors.add(field + ".streamName", "must be at most " + MAX_LENGTH + " characters");
      return null;
    }
    if (hasControl(name)) {
      errors.add(field + ".streamName", "must not contain control characters");
      return null;
    }
    if (entry.isRegex()) {
      try {
        Pattern.compile(name);
      } catch (PatternSyntaxException e) {
        errors.add(
            field + ".streamName",
            "is not a valid regular expression (RE2 syntax; no backreferences or lookaround): "
                + e.getDescription());
        return null;
      }
    } else if (name.isBlank() || !name.equals(name.strip())) {
      errors.add(field + ".streamName", "must not start or end with white space");
      return null;
    }
    return new TokenStream(name, entry.isRegex());
  }

  public List<TokenStream> streams(List<TokenStream> entries, String field, Errors errors) {
    if (entries == null) {
      return List.of();
    }
    if (entries.size() > config.maxStreams()) {
      errors.add(field, "at most " + config.maxStreams() + " entries");
      return List.of();
    }
    Set<TokenStream> result = new LinkedHashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      TokenStream ok = stream(entries.get(i), field + "[" + i + "]", errors);
      if (ok != null) {
        result.add(ok);
      }
    }
    return new ArrayList<>(result);
  }

  /**
   * Allowed origins: a host name ({@code example.com}), a wildcard for its sub-domains ({@code
   * *.example.com}), either optionally with {@code http(s)://} and a port. Stored lower-case.
   */
  public List<String> origins(List<String> entries, String field, Errors errors) {
    return list(
        entries,
        field,
        errors,
        (value, at) -> {
          String origin = value.trim().toLowerCase(Locale.ROOT);
          if (origin.endsWith("/")) {
            origin = origin.substring(0, origin.length() - 1);
          }
          var match = ORIGIN.matcher(origin);
          if (origin.equals("*")) {
            errors.add(at, "leave allowedOrigins empty to allow any origin");
            return null;
          }
          if (!match.matches()) {
            errors.add(
                at,
                "is not a host name, *.domain wildcard or http(s)://host[:port] origin: " + value);
            return null;
          }
          String host = match.group(3);
          if (match.group(2) != null && !host.contains(".")) {
            errors.add(
                at, "a wildcard needs a domain with at least two labels, e.g. *.example.com");
            return null;
          }
          if (match.group(4) != null) {
            int port = Integer.parseInt(match.group(4));
            if (port < 1 || port > 65535) {
              errors.add(at, "port must be 1 to 65535");
              return null;
            }
          }
          return origin;
        });
  }

  /** Allowed client addresses: single IPv4/IPv6 addresses or CIDR blocks, nothing else. */
  public List<String> ipAddresses(List<String> entries, String field, Errors errors) {
    return list(
        entries,
        field,
        errors,
        (value, at) -> {
          String trimmed = value.trim();
          if (trimmed.indexOf('%') >= 0) {
            errors.add(at, "IPv6 zone ids (%...) are not allowed: " + value);
            return null;
          }
          try {
            var address = new IPAddressString(trimmed, IP_SYNTAX).toAddress();
            if (address.isIPv4() || address.isIPv6()) {
              if (address.getNetworkPrefixLength() != null && trimmed.indexOf('/') < 0) {
                errors.add(at, "is not an IPv4/IPv6 address or CIDR block: " + value);
                return null;
              }
              return trimmed;
            }
          } catch (AddressStringException | RuntimeException e) {
            // Fall through to the message below; the library's text is not for API users.
          }
          errors.add(
              at,
              "is not an IPv4/IPv6 address or CIDR block (e.g. 203.0.113.7, 10.0.0.0/8,"
                  + " 2001:db8::/32): "
                  + value);
          return null;
        });
  }

  /** ISO-3166 alpha-2 codes, stored upper-case. */
  public List<String> countries(List<String> entries, String field, Errors errors) {
    return list(
        entries,
        field,
        errors,
        (value, at) -> {
          String code = value.trim().toUpperCase(Locale.ROOT);
          if (!COUNTRIES.contains(code)) {
            errors.add(at, "is not an ISO-3166 alpha-2 country code: " + value);
            return null;
          }
          return code;
        });
  }

  public Integer bindIps(Integer value, String field, Errors errors) {
    if (value != null && (value < 1 || value > config.maxBindIps())) {
      errors.add(field, "must be 1 to " + config.maxBindIps() + " (or null for no binding)");
      return null;
    }
    return value;
  }

  /** Cluster id, or null for the account default ({@code auto} is kept as written). */
  public String cluster(String value, String field, Errors errors) {
    if (value == null) {
      return null;
    }
    if (value.isEmpty() || value.length() > MAX_LENGTH || !CLUSTER.matcher(value).matches()) {
      errors.add(field, "must be a cluster id (letters, digits, - and _, at most 128) or auto");
      return null;
    }
    return value;
  }

  public String trackingId(String value, String field, Errors errors) {
    if (value == null) {
      return null;
    }
    if (value.isBlank() || value.length() > MAX_LENGTH || hasControl(value)) {
      errors.add(field, "must be 1 to " + MAX_LENGTH + " printable characters");
      return null;
    }
    return value;
  }

  public List<RestreamTarget> restream(
      List<TokenRequest.RestreamTargetRequest> entries, String field, Errors errors) {
    if (entries == null) {
      return List.of();
    }
    if (entries.size() > config.maxRestreamTargets()) {
      errors.add(field, "at most " + config.maxRestreamTargets() + " targets");
      return List.of();
    }
    List<RestreamTarget> result = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      String at = field + "[" + i + "]";
      TokenRequest.RestreamTargetRequest entry = entries.get(i);
      if (entry == null) {
        errors.add(at, "must not be null");
        continue;
      }
      boolean ok = true;
      if (entry.url() == null || entry.url().isBlank() || entry.url().length() > 2048) {
        errors.add(at + ".url", "must be 1 to 2048 characters");
        ok = false;
      } else {
        try {
          URI uri = new URI(entry.url().trim());
          String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
          if (!RESTREAM_SCHEMES.contains(scheme) || uri.getHost() == null) {
            errors.add(at + ".url", "must be an rtmp://, rtmps:// or srt:// URL with a host");
            ok = false;
          }
        } catch (URISyntaxException e) {
          errors.add(at + ".url", "is not a valid URL");
          ok = false;
        }
      }
      if (entry.key() == null || entry.key().length() < 5 || entry.key().length() > 512) {
        errors.add(at + ".key", "must be 5 to 512 characters");
        ok = false;
      }
      if (entry.label() != null && entry.label().length() > 2048) {
        errors.add(at + ".label", "must be at most 2048 characters");
        ok = false;
      }
      if (ok) {
        result.add(
            new RestreamTarget(
                entry.url().trim(),
                entry.key(),
                entry.label(),
                entry.enabled() == null || entry.enabled()));
      }
    }
    return result;
  }

  @FunctionalInterface
  private interface EntryCheck {
    String check(String value, String field);
  }

  private List<String> list(List<String> entries, String field, Errors errors, EntryCheck check) {
    if (entries == null) {
      return List.of();
    }
    if (entries.size() > config.maxListEntries()) {
      errors.add(field, "at most " + config.maxListEntries() + " entries");
      return List.of();
    }
    Set<String> result = new LinkedHashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      String at = field + "[" + i + "]";
      String value = entries.get(i);
      if (value == null || value.isBlank()) {
        errors.add(at, "must not be blank");
      } else if (value.length() > MAX_LENGTH) {
        errors.add(at, "must be at most " + MAX_LENGTH + " characters");
      } else {
        String ok = check.check(value, at);
        if (ok != null) {
          result.add(ok);
        }
      }
    }
    return new ArrayList<>(result);
  }

  private static boolean hasControl(String value) {
    return value.chars().anyMatch(Character::isISOControl);
  }
}
