package io.beamline.token.authorize;

import com.maxmind.db.CHMCache;
import com.maxmind.db.Reader;
import inet.ipaddr.IPAddress;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.File;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/**
 * Country of a client address from a MaxMind-format database: DB-IP Lite / ip-location-db files
 * ({@code {country_code: "US"}}) and MaxMind GeoIP2/GeoLite2 Country files ({@code {country:
 * {iso_code: "US"}}}) alike.
 */
@ApplicationScoped
public class GeoIp implements CountryLookup {

  private final GeoIpConfig config;
  private volatile Reader reader;
  private volatile String problem;

  public GeoIp(GeoIpConfig config) {
    this.config = config;
  }

  void open(@Observes StartupEvent ignored) {
    if (config.database().isEmpty()) {
      problem = "no database configured (beamline.geoip.database)";
      Log.warn("GeoIP: no database configured; country rules refuse with geoip_unavailable");
      return;
    }
    File file = new File(config.database().get());
    try {
      // The cache keeps decoded records, so a repeated country costs no decoding.
      reader = new Reader(file, Reader.FileMode.MEMORY_MAPPED, new CHMCache(4096));
      problem = null;
      Log.infof(
          "GeoIP: %s loaded (%s, built %s)",
          file, reader.getMetadata().databaseType(), reader.getMetadata().buildTime());
    } catch (IOException | RuntimeException e) {
      problem = "cannot read " + file + ": " + e.getMessage();
      Log.errorf("GeoIP: %s; country rules refuse with geoip_unavailable", problem);
    }
  }

  void close(@Observes ShutdownEvent ignored) throws IOException {
    Reader current = reader;
    if (current != null) {
      current.close();
    }
  }

  @Override
  public boolean available() {
    return reader != null;
  }

  /** Why no database is loaded; null when one is. */
  public String problem() {
    return problem;
  }

  /** The configured path, if any. */
  public String path() {
    return config.database().orElse(null);
  }

  @Override
  public String country(IPAddress address) {
    Reader current = reader;
    if (current == null || address == null) {
      return null;
    }
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> record = current.get(address.toInetAddress(), Map.class);
      return countryOf(record);
    } catch (IOException | RuntimeException e) {
      Log.debugf("GeoIP lookup of %s failed: %s", address, e.getMessage());
      return null;
    }
  }

  static String countryOf(Map<String, Object> record) {
    if (record == null) {
      return null;
    }
    Object code = record.get("country_code");
    if (code == null && record.get("country") instanceof Map<?, ?> country) {
      code = country.get("iso_code");
    }
    return code == null ? null : code.toString().toUpperCase(Locale.ROOT);
  }
}
