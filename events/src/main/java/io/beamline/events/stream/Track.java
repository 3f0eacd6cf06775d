package io.beamline.events.stream;

/**
 * One audio or video track of a feed, as announced by the publisher (names follow the reference
 * API's media track metadata).
 *
 * @param kind audio or video
 * @param codec codec name in lower case, e.g. {@code h264}, {@code vp8}, {@code aac}, {@code opus}
 * @param bitrate announced bitrate in bits per second; null when unknown
 * @param width video only: width in pixels
 * @param height video only: height in pixels
 * @param framerate video only: frames per second
 * @param channels audio only: channel count
 * @param samplerate audio only: samples per second
 */
public record Track(
    TrackKind kind,
    String codec,
    Long bitrate,
    Integer width,
    Integer height,
    Double framerate,
    Integer channels,
    Integer samplerate) {}
