package io.beamline.events;

import java.util.List;

/**
 * Kafka header names of the CloudEvents 1.0 binary content mode: the attributes travel as {@code
 * ce_}-prefixed headers and the record value is the bare JSON payload.
 */
public final class CloudEventHeaders {

  public static final String SPECVERSION = "ce_specversion";
  public static final String ID = "ce_id";
  public static final String TYPE = "ce_type";
  public static final String SOURCE = "ce_source";
  public static final String TIME = "ce_time";
  public static final String SUBJECT = "ce_subject";

  /** Not {@code ce_}-prefixed: the Kafka binding maps {@code datacontenttype} to this header. */
  public static final String CONTENT_TYPE = "content-type";

  /** The only CloudEvents version Beamline writes and reads. */
  public static final String SPEC_VERSION_VALUE = "1.0";

  /** Media type of every payload. */
  public static final String JSON_CONTENT_TYPE = "application/json";

  /** Headers every Beamline event carries. */
  public static final List<String> REQUIRED = List.of(SPECVERSION, ID, TYPE, SOURCE, TIME);

  /** Prefix of the {@code ce_source} URI reference; the producing service's name follows. */
  public static final String SOURCE_PREFIX = "/beamline/";

  private CloudEventHeaders() {}

  /** The {@code ce_source} of a producing service, e.g. {@code /beamline/stream-service}. */
  public static String sourceOf(String service) {
    return SOURCE_PREFIX + service;
  }
}
