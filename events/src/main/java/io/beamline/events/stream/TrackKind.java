package io.beamline.events.stream;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Media kind of a published track, written in lower case. */
public enum TrackKind {
  @JsonProperty("audio")
  AUDIO,
  @JsonProperty("video")
  VIDEO,
  /** Read side only: a kind newer than this reader. Producers never write it. */
  @JsonEnumDefaultValue
  @JsonProperty("unknown")
  UNKNOWN
}
