package io.beamline.platform.auth;

import java.util.List;

/** The scopes an API key can carry; endpoints require them with {@code @RolesAllowed}. */
public final class ApiScopes {

  public static final String KEYS_READ = "keys:read";
  public static final String KEYS_WRITE = "keys:write";
  public static final String TOKENS_READ = "tokens:read";
  public static final String TOKENS_WRITE = "tokens:write";
  public static final String STREAMS_READ = "streams:read";
  public static final String STREAMS_WRITE = "streams:write";
  public static final String RECORDINGS_READ = "recordings:read";
  public static final String RECORDINGS_WRITE = "recordings:write";
  public static final String RESTREAM_READ = "restream:read";
  public static final String RESTREAM_WRITE = "restream:write";
  public static final String ANALYTICS_READ = "analytics:read";

  /** Operator scope: create accounts and rotate signing keys. Only the bootstrap key has it. */
  public static final String PLATFORM_ADMIN = "platform:admin";

  /**
   * Service-to-service scope: call internal endpoints such as token-service's {@code POST
   * /internal/authorize}. Held by the internal key token-service's bootstrap writes for the
   * platform's own services; never granted to accounts.
   */
  public static final String PLATFORM_INTERNAL = "platform:internal";

  /** Every account-level scope: what the first key of a new account gets. */
  public static final List<String> ALL =
      List.of(
          KEYS_READ,
          KEYS_WRITE,
          TOKENS_READ,
          TOKENS_WRITE,
          STREAMS_READ,
          STREAMS_WRITE,
          RECORDINGS_READ,
          RECORDINGS_WRITE,
          RESTREAM_READ,
          RESTREAM_WRITE,
          ANALYTICS_READ);

  private ApiScopes() {}
}
