package io.beamline.token.authorize;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Tuning of the authorisation index and of the state it shares across instances. */
@ConfigMapping(prefix = "beamline.authorize")
public interface AuthorizeConfig {

  /**
   * How often each instance re-reads rows changed since its last look (account geo defaults, which
   * have no event, viewer policies, and any token event it might have missed); default {@code 2s}.
   */
  @WithDefault("2s")
  Duration refreshInterval();

  /** Kafka poll timeout of the token-event listener; default {@code 500ms}. */
  @WithDefault("500ms")
  Duration eventPollTimeout();

  /**
   * A viewer session without an end after this long no longer counts against a viewer cap (its end
   * was lost); default {@code 12h}.
   */
  @WithDefault("12h")
  Duration viewerSessionMaxAge();

  /** How long a verified internal API key is trusted before it is verified again; default 5m. */
  @WithDefault("5m")
  Duration internalKeyCache();
}
