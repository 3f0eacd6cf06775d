import java.io.BufferedWriter;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.postgresql.PGConnection;

/**
 * Seeds subscribe tokens for the authorisation benchmark with COPY (secrets sealed exactly as
 * token-service seals them: AES-256-GCM, 12-byte IV || ciphertext || tag, master-key version 1)
 * and writes request bodies carrying self-signed tokens minted here with javax.crypto HMAC.
 *
 * <p>java -cp postgresql.jar Seed.java JDBC_URL USER PASSWORD ACCOUNT FIRST_ID COUNT MASTER_KEY
 * BODIES_FILE BODIES_COUNT LOWEST_ID (bodies pick parents among LOWEST_ID..FIRST_ID+COUNT-1)
 */
public class Seed {

  /** Networks of these addresses are allowed, and their countries (DB-IP) too. */
  static final String[] IPS = {"8.8.8.8", "193.99.144.80", "81.2.69.142", "2a00:1450:4001:82a::200e"};

  static final String STREAMS_TEMPLATE =
      "[{\"streamName\":\"live-%d\",\"isRegex\":false},{\"streamName\":\"event-[0-9]+\",\"isRegex\":true}]";
  static final String ORIGINS = "[\"*.example.com\",\"https://player.example.org\"]";
  static final String IP_RANGES =
      "[\"8.8.8.0/24\",\"193.99.144.0/24\",\"81.2.69.0/24\",\"2a00:1450::/32\"]";
  static final String COUNTRIES = "[\"US\",\"DE\",\"GB\"]";

  public static void main(String[] args) throws Exception {
    String url = args[0], user = args[1], password = args[2], account = args[3];
    long first = Long.parseLong(args[4]);
    int count = Integer.parseInt(args[5]);
    SecretKeySpec master = new SecretKeySpec(Base64.getDecoder().decode(args[6]), "AES");
    Path bodies = Path.of(args[7]);
    int bodyCount = Integer.parseInt(args[8]);
    long lastId = first + count - 1;

    long started = System.nanoTime();
    try (Connection connection = DriverManager.getConnection(url, user, password)) {
      var copy = connection.unwrap(PGConnection.class).getCopyAPI();
      String sql =
          "COPY streaming_token (id, kind, account_id, label, secret_sealed, secret_key_version,"
              + " secret_digest, added_on, expires_on, streams, allowed_origins,"
              + " allowed_ip_addresses, allowed_countries, tracking_id, updated_at) FROM STDIN";
      SecureRandom random = new SecureRandom();
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      HexFormat hex = HexFormat.of();
      String now = Instant.now().toString();
      String expires = Instant.now().plusSeconds(30L * 24 * 3600).toString();
      int chunk = 50_000;
      for (long from = first; from <= lastId; from += chunk) {
        StringBuilder rows = new StringBuilder(chunk * 700);
        for (long id = from; id <= Math.min(lastId, from + chunk - 1); id++) {
          String secret = secret(id);
          byte[] iv = new byte[12];
          random.nextBytes(iv);
          cipher.init(Cipher.ENCRYPT_MODE, master, new GCMParameterSpec(128, iv));
          byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.US_ASCII));
          byte[] digest = sha.digest(secret.getBytes(StandardCharsets.US_ASCII));
          rows.append(id).append("\tSUBSCRIBE\t").append(account).append("\tbench ").append(id)
              .append("\t\\\\x").append(hex.formatHex(iv)).append(hex.formatHex(sealed))
              .append("\t1\t\\\\x").append(hex.formatHex(digest))
              .append('\t').append(now).append('\t').append(expires)
              .append('\t').append(String.format(STREAMS_TEMPLATE, id))
              .append('\t').append(ORIGINS).append('\t').append(IP_RANGES)
              .append('\t').append(COUNTRIES).append("\tbench-partner\t").append(now)
              .append('\n');
        }
        copy.copyIn(sql, new StringReader(rows.toString()));
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute(
            "SELECT setval('streaming_token_id_seq', (SELECT max(id) FROM streaming_token))");
        statement.execute("ANALYZE streaming_token");
      }
    }
    System.out.printf(
        "seeded %d subscribe tokens (ids %d..%d) in %.1f s%n",
        count, first, lastId, (System.nanoTime() - started) / 1e9);

    // Request bodies: self-signed tokens of random parents among ALL seeded ids so far.
    Random pick = new Random(42);
    long exp = Instant.now().getEpochSecond() + 4 * 3600;
    try (BufferedWriter out = Files.newBufferedWriter(bodies)) {
      for (int i = 0; i < bodyCount; i++) {
        long parent = Long.parseLong(args[9]) + (long) (pick.nextDouble() * (lastId - Long.parseLong(args[9]) + 1));
        String stream = i % 2 == 0 ? "live-" + parent : "event-" + i;
        String claims =
            "{\"streaming\":{\"tokenId\":" + parent + ",\"tokenType\":\"Subscribe\",\"streamName\":\""
                + stream + "\",\"customViewerData\":\"bench=" + i + "\"},\"exp\":" + exp + "}";
        String sst = hs256(claims, secret(parent));
        String ip = IPS[i % IPS.length];
        out.write(
            "{\"action\":\"subscribe\",\"streamName\":\"" + stream + "\",\"accountId\":\"" + account
                + "\",\"token\":\"" + sst + "\",\"origin\":\"https://www.example.com\","
                + "\"clientIp\":\"" + ip + "\"}\n");
      }
    }
  }

  /** Deterministic secrets (64 hex chars), so the body generator can sign without the database. */
  static String secret(long id) throws Exception {
    byte[] hash =
        MessageDigest.getInstance("SHA-256")
            .digest(("beamline-bench-" + id).getBytes(StandardCharsets.US_ASCII));
    return HexFormat.of().formatHex(hash);
  }

  static String hs256(String claims, String secret) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String input =
        b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
            + "."
            + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
    return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }
}
