package io.beamline.analytics;

/**
 * Which dimensions a traffic aggregate row is broken down by; the dimensions a grouping leaves out
 * are stored as the empty string.
 */
public enum Grouping {
  /** The whole account. */
  ACCOUNT('A', false, false, false, false),
  /** One stream. */
  STREAM('S', true, false, false, false),
  /** One cluster (region) of the account. */
  CLUSTER('K', false, false, false, true),
  /** One country over the whole account. */
  COUNTRY('C', false, false, true, false),
  /** One stream in one country. */
  STREAM_COUNTRY('G', true, false, true, false),
  /** One stream under one tracking id. */
  STREAM_TRACKING('T', true, true, false, false);

  private final String code;
  private final boolean byStream;
  private final boolean byTracking;
  private final boolean byCountry;
  private final boolean byCluster;

  Grouping(char code, boolean byStream, boolean byTracking, boolean byCountry, boolean byCluster) {
    this.code = String.valueOf(code);
    this.byStream = byStream;
    this.byTracking = byTracking;
    this.byCountry = byCountry;
    this.byCluster = byCluster;
  }

  /** The {@code grp} column value. */
  public String code() {
    return code;
  }

  public boolean byStream() {
    return byStream;
  }

  public boolean byTracking() {
    return byTracking;
  }

  public boolean byCountry() {
    return byCountry;
  }

  public boolean byCluster() {
    return byCluster;
  }
}
