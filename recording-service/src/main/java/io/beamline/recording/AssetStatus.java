package io.beamline.recording;

import java.util.Locale;
import java.util.Optional;

/** Life cycle of a media asset, spelled as in the reference API. */
public enum AssetStatus {
  /** Being recorded. */
  PROCESSING,
  /** Stored and downloadable. */
  COMPLETE,
  /** Nothing usable could be stored. */
  ERROR,
  /** Its objects are being removed. */
  DELETING,
  /** Its objects are gone; the row stays as the record of what was there. */
  DELETED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<AssetStatus> parse(String value) {
    for (AssetStatus status : values()) {
      if (status.wire().equals(value)) {
        return Optional.of(status);
      }
    }
    return Optional.empty();
  }
}
