package io.beamline.analytics.rest;

import io.beamline.analytics.Bucket;
import io.beamline.platform.problem.Problem.FieldError;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The validated common parameters of an analytics query: a UTC range (stop exclusive), a resolution
 * and the names it is limited to.
 *
 * @param from start, inclusive
 * @param to stop, exclusive
 * @param resolution series resolution; null for totals
 * @param names stream names or tracking ids; null when the endpoint takes none
 */
public record QueryRange(Instant from, Instant to, Resolution resolution, List<String> names) {

  /** At most this many stream names or tracking ids per call (as the reference). */
  public static final int MAX_NAMES = 10;

  /** Longest hourly series, in buckets (93 days). */
  public static final long MAX_HOURS = 93 * 24;

  /** Series resolutions of the API. */
  public enum Resolution {
    Hour(Bucket.HOUR),
    Day(Bucket.DAY),
    Month(Bucket.DAY);

    private final Bucket stored;

    Resolution(Bucket stored) {
      this.stored = stored;
    }

    /** The stored bucket size the series is read from. */
    public Bucket stored() {
      return stored;
    }
  }

  /**
   * Parses and checks the parameters, collecting every problem before failing.
   *
   * @param resolutionRequired whether {@code resolution} must be given (series)
   * @param namesParam name of the names parameter ({@code streamNames}/{@code trackingIds}), or
   *     null when the endpoint takes none
   * @throws InvalidQueryException naming each invalid field
   */
  public static QueryRange parse(
      String startDate,
      String stopDate,
      String resolution,
      boolean resolutionRequired,
      String namesParam,
      List<String> names) {
    List<FieldError> errors = new ArrayList<>();
    Instant from = instant("startDate", startDate, errors);
    Instant to = instant("stopDate", stopDate, errors);
    if (from != null && to != null && !to.isAfter(from)) {
      errors.add(new FieldError("stopDate", "must be after startDate (stopDate is exclusive)"));
    }
    Resolution res = null;
    if (resolutionRequired) {
      if (resolution == null || resolution.isBlank()) {
        errors.add(new FieldError("resolution", "is required: one of Hour, Day, Month"));
      } else {
        try {
          res = Resolution.valueOf(resolution);
        } catch (IllegalArgumentException e) {
          errors.add(
              new FieldError(
                  "resolution", "unknown resolution '" + resolution + "': use Hour, Day or Month"));
        }
      }
    }
    if (res == Resolution.Hour
        && from != null
        && to != null
        && to.isAfter(from)
        && Duration.between(from, to).toHours() > MAX_HOURS) {
      errors.add(
          new FieldError("stopDate", "an Hour series spans at most " + MAX_HOURS / 24 + " days"));
    }
    List<String> cleaned = null;
    if (namesParam != null) {
      cleaned =
          names == null
              ? List.of()
              : names.stream()
                  .flatMap(n -> List.of(n.split(",")).stream())
                  .map(String::strip)
                  .filter(n -> !n.isEmpty())
                  .distinct()
                  .toList();
      if (cleaned.isEmpty()) {
        errors.add(new FieldError(namesParam, "at least one is required"));
      } else if (cleaned.size() > MAX_NAMES) {
        errors.add(
            new FieldError(
                namesParam, "at most " + MAX_NAMES + " per call, got " + cleaned.size()));
      }
    }
    if (!errors.isEmpty()) {
      throw new InvalidQueryException(errors);
    }
    return new QueryRange(from, to, res, cleaned);
  }

  /** The coarsest stored bucket size both ends of the range fall on, for totals. */
  public Bucket totalsBucket() {
    for (Bucket bucket : List.of(Bucket.DAY, Bucket.HOUR)) {
      if (bucket.isAligned(from) && bucket.isAligned(to)) {
        return bucket;
      }
    }
    return Bucket.MINUTE;
  }

  private static Instant instant(String field, String value, List<FieldError> errors) {
    if (value == null || value.isBlank()) {
      errors.add(new FieldError(field, "is required: a UTC date (2025-05-14) or instant"));
      return null;
    }
    try {
      if (value.length() == 10) {
        return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      errors.add(
          new FieldError(
              field,
              "'" + value + "' is not a UTC date (2025-05-14) or instant (2025-05-14T09:00:00Z)"));
      return null;
    }
  }
}
