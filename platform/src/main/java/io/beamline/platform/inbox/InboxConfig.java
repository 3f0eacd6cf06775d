package io.beamline.platform.inbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How long idempotent consumers remember what they applied. */
@ConfigMapping(prefix = "beamline.inbox")
public interface InboxConfig {

  /**
   * Applied event ids older than this are forgotten; default {@code 30d}. Keep it longer than the
   * topics' retention (Kafka's default is 7 days): only an event still on a topic can be delivered
   * again.
   */
  @WithDefault("30d")
  Duration retention();
}
