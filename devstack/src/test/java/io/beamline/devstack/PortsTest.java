package io.beamline.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {

  @Test
  void shouldHandOutDistinctFreePorts() {
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      int port = Ports.freePort();
      assertTrue(Ports.isFree(port));
      ports.add(port);
    }
    assertEquals(20, ports.size());
  }

  @Test
  void shouldNameThePortTheComponentAndTheSettingWhenTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      assertFalse(Ports.isFree(port));
      PortInUseException e =
          assertThrows(
              PortInUseException.class,
              () -> Ports.requireFree(port, "kafka", "BEAMLINE_KAFKA_PORT"));
      assertEquals(
          "port " + port + " (kafka) is already in use; set BEAMLINE_KAFKA_PORT to another port",
          e.getMessage());
      assertEquals(port, e.port());
    }
  }

  @Test
  void shouldReportEveryTakenPortAtOnce() throws Exception {
    try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        ServerSocket b = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int free = Ports.freePort();
      DevstackException e =
          assertThrows(
              DevstackException.class,
              () ->
                  Ports.requireAllFree(
                      List.of(
                          new Ports.PortClaim(a.getLocalPort(), "kafka", "BEAMLINE_KAFKA_PORT"),
                          new Ports.PortClaim(free, "s3proxy", "BEAMLINE_S3_PORT"),
                          new Ports.PortClaim(
                              b.getLocalPort(), "token-service", "BEAMLINE_TOKEN_PORT"))));
      String message = e.getMessage();
      assertTrue(message.contains("port " + a.getLocalPort() + " (kafka)"), message);
      assertTrue(
          message.contains(
              "port "
                  + b.getLocalPort()
                  + " (token-service) is already in use; set BEAMLINE_TOKEN_PORT"),
          message);
      assertFalse(message.contains("s3proxy"), message);
    }
  }
}
