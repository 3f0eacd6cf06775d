package io.beamline.recording;

import java.util.Locale;

/** Life cycle of one segment object. */
public enum SegmentStatus {
  /** Its multipart upload is open; uploaded parts are recorded as they complete. */
  UPLOADING,
  /** The object exists. */
  COMPLETE,
  /** Nothing was uploaded; no object exists. */
  EMPTY,
  /** The object was removed. */
  DELETED,
  /** The reconciliation found the object gone from the store although it was complete. */
  MISSING;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
