package io.beamline.recording.media;

import java.util.List;

/**
 * What ffprobe found in a stored recording, in the reference API's media asset metadata shape.
 *
 * @param format container format, e.g. {@code mp4}
 * @param sizeBytes bytes of the object(s)
 * @param duration media duration in seconds
 * @param bitrate overall bitrate in bits per second; null when unknown
 * @param tracks the audio and video tracks
 */
public record MediaMetadata(
    String format, long sizeBytes, double duration, Long bitrate, List<MediaTrack> tracks) {

  /**
   * One track.
   *
   * @param type {@code video} or {@code audio}
   * @param codec e.g. {@code h264}, {@code aac}
   * @param bitrate bits per second; null when unknown
   * @param width video only
   * @param height video only
   * @param framerate video only, frames per second
   * @param channels audio only
   * @param samplerate audio only, samples per second
   */
  public record MediaTrack(
      String type,
      String codec,
      Long bitrate,
      Integer width,
      Integer height,
      Double framerate,
      Integer channels,
      Integer samplerate) {}
}
