package io.beamline.syndication.service;

import java.net.URI;
import java.util.Locale;

/** Builds the URL ffmpeg pushes to, and its redacted form for events, logs and the API. */
public final class TargetUrls {

  static final String MASK = "****";

  private TargetUrls() {}

  /** The scheme of {@code url} in lower case ({@code rtmp}, {@code rtmps} or {@code srt}). */
  public static String scheme(String url) {
    try {
      String scheme = URI.create(url).getScheme();
      return scheme == null ? "" : scheme.toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return ""; // the SSRF guard refuses such a URL before any push
    }
  }

  /** Whether {@code url} is SRT, which takes the key as {@code streamid} and MPEG-TS. */
  public static boolean isSrt(String url) {
    return "srt".equals(scheme(url));
  }

  /** {@code <url>/<key>} for RTMP(S), {@code <url>?streamid=<key>} for SRT. */
  public static String withKey(String url, String key) {
    if (isSrt(url)) {
      return url + (url.contains("?") ? "&" : "?") + "streamid=" + key;
    }
    return (url.endsWith("/") ? url : url + "/") + key;
  }

  /** {@link #withKey} with the key replaced by {@code ****}: never a secret. */
  public static String redacted(String url) {
    return withKey(url, MASK);
  }

  /** {@code text} with every occurrence of the secrets replaced by {@code ****}. */
  public static String scrub(String text, String... secrets) {
    if (text == null) {
      return null;
    }
    String result = text;
    for (String secret : secrets) {
      if (secret != null && !secret.isEmpty()) {
        result = result.replace(secret, MASK);
      }
    }
    // Pull URLs carry a media JWT as ?jwt=...
    return result.replaceAll("jwt=[A-Za-z0-9._-]+", "jwt=" + MASK);
  }
}
