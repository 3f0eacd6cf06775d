package io.beamline.events.stream;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Media protocol of a publisher or viewer connection, written in lower case. */
public enum Protocol {
  @JsonProperty("rtmp")
  RTMP,
  @JsonProperty("srt")
  SRT,
  @JsonProperty("hls")
  HLS,
  /** WHIP for publishers, WHEP for viewers. */
  @JsonProperty("webrtc")
  WEBRTC,
  /** Read side only: a protocol newer than this reader. Producers never write it. */
  @JsonEnumDefaultValue
  @JsonProperty("unknown")
  UNKNOWN
}
