package io.beamline.stream.media;

/**
 * What the control plane tells a media node about a publisher or viewer.
 *
 * @param allowed whether it may go ahead
 * @param mediaName the name the node must use for it (the feed id), or null to keep the name
 * @param reason why not, when refused
 */
public record MediaAnswer(boolean allowed, String mediaName, String reason) {

  public static MediaAnswer allow(String mediaName) {
    return new MediaAnswer(true, mediaName, null);
  }

  public static MediaAnswer deny(String reason) {
    return new MediaAnswer(false, null, reason);
  }
}
