package io.beamline.recording;

import java.util.Locale;
import java.util.Optional;

/** Kinds of media asset of the reference API; this service produces recordings. */
public enum AssetType {
  RECORDING,
  CLIP,
  STORAGE_VALIDATION,
  TIMELINE;

  /** The API and database spelling, e.g. {@code recording}, {@code storageValidation}. */
  public String wire() {
    return this == STORAGE_VALIDATION ? "storageValidation" : name().toLowerCase(Locale.ROOT);
  }

  public static Optional<AssetType> parse(String value) {
    for (AssetType type : values()) {
      if (type.wire().equals(value)) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }
}
