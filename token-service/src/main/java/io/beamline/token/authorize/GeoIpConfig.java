package io.beamline.token.authorize;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** Where the MaxMind-format country database is. */
@ConfigMapping(prefix = "beamline.geoip")
public interface GeoIpConfig {

  /**
   * Path of a MaxMind-format (MMDB) country database, such as DB-IP Lite's {@code
   * dbip-country.mmdb} installed by {@code src/main/scripts/install-geoip.sh}. No default: without
   * it every country rule refuses with {@code geoip_unavailable}.
   */
  Optional<String> database();
}
