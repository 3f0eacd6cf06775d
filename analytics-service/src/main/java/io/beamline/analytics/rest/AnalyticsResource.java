package io.beamline.analytics.rest;

import io.beamline.analytics.rest.AnalyticsViews.GeoBytes;
import io.beamline.analytics.rest.AnalyticsViews.GeoPoint;
import io.beamline.analytics.rest.AnalyticsViews.GeoTotal;
import io.beamline.analytics.rest.AnalyticsViews.Series;
import io.beamline.analytics.rest.AnalyticsViews.Totals;
import io.beamline.analytics.rest.AnalyticsViews.TrackingSeries;
import io.beamline.analytics.rest.AnalyticsViews.TrackingTotal;
import io.beamline.analytics.service.AnalyticsReports;
import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.auth.Caller;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The reference API's analytics endpoints, answering only for the caller's account. Every range is
 * UTC with {@code stopDate} exclusive; {@code streamNames} and {@code trackingIds} take at most ten
 * values.
 */
@Path("/api/analytics")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(ApiScopes.ANALYTICS_READ)
@Tag(name = "analytics")
public class AnalyticsResource {

  private static final String STREAMS = "streamNames";
  private static final String TRACKING = "trackingIds";

  private final AnalyticsReports reports;
  private final Caller caller;

  public AnalyticsResource(AnalyticsReports reports, Caller caller) {
    this.reports = reports;
    this.caller = caller;
  }

  @GET
  @Path("/account/total")
  @Operation(summary = "Account totals over a range, with live streams and viewers now")
  public Totals accountTotal(
      @QueryParam("startDate") String start, @QueryParam("stopDate") String stop) {
    return reports.accountTotal(caller.accountId(), total(start, stop, null, null));
  }

  @GET
  @Path("/account/series")
  @Operation(summary = "Account series per Hour, Day or Month")
  public Series accountSeries(
      @QueryParam("startDate") String start,
      @QueryParam("stopDate") String stop,
      @QueryParam("resolution") String resolution) {
    return reports.accountSeries(caller.accountId(), series(start, stop, resolution, null, null));
  }

  @GET
  @Path("/account/geo")
  @Operation(summary = "Viewer bytes and views per country")
  public Map<String, GeoBytes> accountGeo(
      @QueryParam("startDate") String start, @QueryParam("stopDate") String stop) {
    return reports.accountGeo(caller.accountId(), total(start, stop, null, null));
  }

  @GET
  @Path("/account/geo_total")
  @Operation(summary = "Bytes in and out, publish and view seconds per country")
  public Map<String, GeoTotal> accountGeoTotal(
      @QueryParam("startDate") String start, @QueryParam("stopDate") String stop) {
    return reports.accountGeoTotal(caller.accountId(), total(start, stop, null, null));
  }

  @GET
  @Path("/account/geo_series")
  @Operation(summary = "Per-country traffic per Hour, Day or Month")
  public Map<String, Map<String, GeoPoint>> accountGeoSeries(
      @QueryParam("startDate") String start,
      @QueryParam("stopDate") String stop,
      @QueryParam("resolution") String resolution) {
    return reports.accountGeoSeries(
        caller.accountId(), series(start, stop, resolution, null, null));
  }

  @GET
  @Path("/streams/total")
  @Operation(summary = "Totals per stream, with whether it is live and its viewers now")
  public Map<String, Totals> streamsTotal(
      @QueryParam("startDate") String start,
      @QueryParam("stopDate") String stop,
      @QueryParam(STREAMS) List<String> streams) {
    return reports.streamsTotal(caller.accountId(), total(start, stop, STREAMS, streams));
  }

  @GET
  @Path("/streams/series")
  @Operation(summary = "Series per stream")
  public Map<String, Series> streamsSeries(
      @QueryParam("startDate") String start,
      @QueryParam("stopDate") String stop,
      @QueryParam("resolution") String resolution,
      @QueryParam(STREAMS) List<String> streams) {
    return reports.streamsSeries(
        caller.accountId(), series(start, stop, resolution, STREAMS, streams));
  }

  @GET
  @Path("/streams/geo")
  @Operation(summary = "Viewer bytes and views per country, per stream")
  public Map<String, Map<String, GeoBytes>> streamsGeo(
      @QueryParam("startDate") String start,
      @QueryParam("stopDate") String stop,
      @QueryParam(STREAMS) List<String> streams) {
    return reports.streamsGeo(caller.accountId(), total(start, stop, STREAMS, streams));
  }

  @GET
  @Path("/streams/geo_total")
  @Operation(summary = "Per-country totals, per stream")
  public Map<String, Map<String, GeoTotal>> streamsGeoTotal(
      @QueryParam("startDate") String start,
      @QueryParam("stopDate") String stop,
      @QueryParam(STREAMS) List<String> streams) {
    return reports.streamsGeoTotal(caller.accountId(), total(start, stop, STREAMS, streams));
  }

  @GET
  @Path("/streams/geo_series")
  @Operation(summary = "Per-country series, per stream")
  public Map<String, Map<String, Map<String, GeoPoint>>> streamsGeoSeries(
      @QueryParam("startDate") String start,
      @QueryParam("stopDate") String stop,
      @QueryParam("resolution") String resolution,
      @QueryParam(STREAMS) List<String> streams) {
    return reports.streamsGeoSeries(
        caller.accountId(), series(start, stop, resolution, STREAMS, streams));
  }

  @GET
  @Path("/tracking/total")
  @Operation(summary = "Per tracking id, the streams watched under it")
  public Map<String, List<TrackingTotal>> trackingTotal(
      @QueryParam("startDate") String start,
      @QueryParam("stopDate") String stop,
      @QueryParam(TRACKING) List<String> trackingIds) {
    return reports.trackingTotal(caller.accountId(), total(start, stop, TRACKING, trackingIds));
  }

  @GET
  @Path("/tracking/series")
  @Operation(summary = "Per tracking id, a series per stream watched under it")
  public Map<String, List<TrackingSeries>> trackingSeries(
      @QueryParam("startDate") String start,
      @QueryParam("stopDate") String stop,
      @QueryParam("resolution") String resolution,
      @QueryParam(TRACKING) List<String> trackingIds) {
    return reports.trackingSeries(
        caller.accountId(), series(start, stop, resolution, TRACKING, trackingIds));
  }

  @GET
  @Path("/tracking/streams/total")
  @Operation(summary = "Per stream, the tracking ids it was watched under")
  public Map<String, List<TrackingTotal>> trackingStreamsTotal(
      @QueryParam("startDate") String start,
      @QueryParam("stopDate") String stop,
      @QueryParam(STREAMS) List<String> streams) {
    return reports.trackingStreamsTotal(caller.accountId(), total(start, stop, STREAMS, streams));
  }

  @GET
  @Path("/tracking/streams/series")
  @Operation(summary = "Per stream, a series per tracking id it was watched under")
  public Map<String, List<TrackingSeries>> trackingStreamsSeries(
      @QueryParam("startDate") String start,
      @QueryParam("stopDate") String stop,
      @QueryParam("resolution") String resolution,
      @QueryParam(STREAMS) List<String> streams) {
    return reports.trackingStreamsSeries(
        caller.accountId(), series(start, stop, resolution, STREAMS, streams));
  }

  private static QueryRange total(
      String start, String stop, String namesParam, List<String> names) {
    return QueryRange.parse(start, stop, null, false, namesParam, names);
  }

  private static QueryRange series(
      String start, String stop, String resolution, String namesParam, List<String> names) {
    return QueryRange.parse(start, stop, resolution, true, namesParam, names);
  }
}
