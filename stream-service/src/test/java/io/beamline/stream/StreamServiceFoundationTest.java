package io.beamline.stream;

import io.beamline.devstack.test.ServiceFoundationContract;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Set;

/** The shared service foundation checks, applied to stream-service. */
@QuarkusTest
class StreamServiceFoundationTest extends ServiceFoundationContract {

  StreamServiceFoundationTest() {
    super("stream-service", "stream", Set.of("streams:read", "streams:write"));
  }

  @Override
  protected List<String> serviceMigrations() {
    return List.of(
        "1 db/migration/V1__stream_baseline.sql",
        "2 db/migration/V2__live_streams.sql",
        "3 db/migration/V3__egress_grants.sql",
        "4 db/migration/V4__feed_media_info.sql",
        "5 db/migration/V5__clusters.sql",
        "6 db/migration/V6__live_stream_hot_sequence.sql",
        "7 db/migration/V7__feed_player_bytes.sql",
        "8 db/migration/V8__viewer_session_lean_keys.sql",
        "9 db/migration/V9__hls_renditions.sql",
        "10 db/migration/V10__hls_session_activity.sql",
        "11 db/migration/V11__history_retention.sql");
  }
}
