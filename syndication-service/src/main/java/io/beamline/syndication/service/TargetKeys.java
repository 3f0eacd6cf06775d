package io.beamline.syndication.service;

import io.beamline.platform.secrets.SecretSealer;
import io.beamline.syndication.RestreamJob;
import io.beamline.syndication.StreamTarget;
import io.beamline.syndication.config.SyndicationConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Seals the stream keys of targets and jobs with the master key before they reach the database, and
 * opens them only where a push or a comparison needs the key itself.
 */
@ApplicationScoped
public class TargetKeys {

  /** The configuration prefix named in error messages. */
  public static final String PROPERTIES = "beamline.syndication.secrets";

  private final SecretSealer sealer;

  @Inject
  public TargetKeys(SyndicationConfig config) {
    this(
        new SecretSealer(
            PROPERTIES,
            config.secrets().masterKeyVersion(),
            config.secrets().masterKey(),
            config.secrets().previousMasterKeys().orElse(List.of())));
  }

  public TargetKeys(SecretSealer sealer) {
    this.sealer = sealer;
  }

  public SecretSealer sealer() {
    return sealer;
  }

  /** Seals {@code key} into the target, with the hint the API shows. */
  public void put(StreamTarget target, String key) {
    target.keySealed = sealer.seal(key.getBytes(StandardCharsets.UTF_8));
    target.keyVersion = sealer.currentVersion();
    target.keyHint = hint(key);
  }

  public void put(RestreamJob job, String key) {
    job.keySealed = sealer.seal(key.getBytes(StandardCharsets.UTF_8));
    job.keyVersion = sealer.currentVersion();
  }

  public String open(StreamTarget target) {
    return open(target.keyVersion, target.keySealed);
  }

  public String open(RestreamJob job) {
    return open(job.keyVersion, job.keySealed);
  }

  public String open(int version, byte[] sealed) {
    return new String(sealer.open(version, sealed), StandardCharsets.UTF_8);
  }

  public byte[] seal(String key) {
    return sealer.seal(key.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code ****} followed by the last 4 characters when the key has at least 12. */
  public static String hint(String key) {
    return "****" + (key.length() >= 12 ? key.substring(key.length() - 4) : "");
  }
}
