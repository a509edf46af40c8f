package com.timereg.gateway.cli;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code gateway admin ...}: the security console's operations against a running gateway's admin
 * API, for scripts and for staff without a browser. Exit status 0 on success, 1 when the API
 * refused the request or could not be reached (the message says which), 2 for a usage mistake.
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
    description = "Block lists, allowlist and audit trail of a running gateway, through its admin API.",
    subcommands = {BlocksCommand.class, AllowCommand.class, EventsCommand.class})
public final class AdminCommand implements Callable<Integer> {
  public static final String DEFAULT_ADMIN_URL = "http://127.0.0.1:9090";
  static final int EXIT_FAILED = 1;
  /** The environment variable that may hold a staff access token, when there is no --token-file. */
  static final String TOKEN_VARIABLE = "GATEWAY_ADMIN_TOKEN";
  /** The process's environment; tests give their own. */
  static java.util.function.UnaryOperator<String> environment = System::getenv;

  @Spec
  CommandSpec spec;

  @Option(names = "--admin-url", paramLabel = "URL", scope = ScopeType.INHERIT, defaultValue = DEFAULT_ADMIN_URL,
      description = "The gateway's admin listener (default: ${DEFAULT-VALUE}).")
  String adminUrl;

  @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print the API's JSON instead of a table.")
  boolean json;

  @Option(names = "--actor", paramLabel = "NAME", scope = ScopeType.INHERIT, defaultValue = "${sys:user.name}",
      description = "Your name in the audit trail; honoured only by a loopback admin listener (default: ${DEFAULT-VALUE}).")
  String actor;

  @Option(names = "--ca-file", paramLabel = "PEM", scope = ScopeType.INHERIT,
      description = "Trust the admin listener's certificate if these CA certificates signed it, in place of Java's"
          + " trusted CAs (an https:// --admin-url with admin.tls).")
  Path caFile;

  @Option(names = "--cert-file", paramLabel = "PEM", scope = ScopeType.INHERIT,
      description = "Your staff client certificate (signed by the listener's admin.tls.client-ca-file); with --key-file.")
  Path certFile;

  @Option(names = "--key-file", paramLabel = "PEM", scope = ScopeType.INHERIT,
      description = "The certificate's private key: PEM PKCS#8, RSA or EC, not encrypted, yours alone (chmod 600).")
  Path keyFile;

  @Option(names = "--token-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "A file holding a staff access token, yours alone (chmod 600), sent as Authorization: Bearer"
          + " (never on the command line: every user of the machine can read that); without it, the token in"
          + " $GATEWAY_ADMIN_TOKEN if set.")
  Path tokenFile;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }

  /**
   * Calls the API and prints its answer, as JSON with {@code --json} or as {@code human} renders
   * it; failures go to stderr with exit status {@value #EXIT_FAILED}.
   */
  int run(CommandSpec leaf, Function<AdminClient, JsonObject> call, java.util.function.BiConsumer<JsonObject, PrintWriter> human) {
    PrintWriter out = leaf.commandLine().getOut();
    PrintWriter err = leaf.commandLine().getErr();
    try {
      JsonObject answer = call.apply(client(leaf));
      if (json) {
        out.println(escapeControls(answer.encodePrettily()));
      } else {
        out.print(printable(render(answer, human), true));
      }
      out.flush();
      return 0;
    } catch (AdminClient.AdminClientException e) {
      // The message may quote the server's answer.
      err.println("gateway admin: " + printable(e.getMessage(), false));
      err.flush();
      return EXIT_FAILED;
    }
  }

  /**
   * The text {@code human} makes of the answer; an answer without the fields it reads (another service at
   * --admin-url, another version) is a failure to report, not a stack trace.
   */
  private String render(JsonObject answer, java.util.function.BiConsumer<JsonObject, PrintWriter> human) {
    StringWriter text = new StringWriter();
    PrintWriter buffer = new PrintWriter(text);
    try {
      human.accept(answer, buffer);
    } catch (NullPointerException | ClassCastException e) {
      throw new AdminClient.AdminClientException("the answer from " + adminUrl + " lacks fields this command"
          + " needs or has them of another type; is --admin-url a gateway's admin listener of this version?"
          + " (--json shows the answer)");
    }
    buffer.flush();
    return text.toString();
  }

  /**
   * The JSON with DEL, the C1 controls (CSI among them) and the format characters and separators (U+202E among
   * them, {@link TextTable#drivesTheTerminal}), which the encoder leaves raw inside strings, written as JSON's
   * unicode escapes: the same JSON to a script, nothing a terminal acts on for a person reading it.
   */
  static String escapeControls(String json) {
    StringBuilder sb = new StringBuilder(json.length());
    // By code point: the format characters outside the BMP (the invisible tag characters U+E0001 and
    // U+E0020..E007F that hide text from the reader, among them) are two UTF-16 units, escaped as JSON's pair.
    json.codePoints().forEach(c -> {
      if (TextTable.drivesTheTerminal(c) && c != '\n' && c != '\r') {
        for (char unit : Character.toChars(c)) {
          sb.append(String.format("\\u%04x", (int) unit));
        }
      } else {
        sb.appendCodePoint(c);
      }
    });
    return sb.toString();
  }

  /**
   * The text with every control character but the line ends ({@code lines}) replaced by '?': notes, reasons,
   * names and messages come from the server, and an escape sequence among them would drive the staff member's
   * terminal (clear it, retitle it, rewrite what was shown). Tables clean their cells themselves.
   */
  static String printable(String s, boolean lines) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i += Character.charCount(s.codePointAt(i))) {
      int c = s.codePointAt(i);
      boolean lineEnd = lines && (c == '\n' || c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n');
      if (TextTable.drivesTheTerminal(c) && !lineEnd) {
        sb.append('?');
      } else {
        sb.appendCodePoint(c);
      }
    }
    return sb.toString();
  }

  private AdminClient client(CommandSpec leaf) {
    // The actor travels in an HTTP header, which holds ISO-8859-1 only; java.net.http would throw
    // IllegalArgumentException (a stack trace) for anything else, so say so as a usage mistake.
    String sentActor = actor;
    if (actor != null && !actor.isBlank()
        && !actor.strip().chars().allMatch(c -> c <= 0xFF && !Character.isISOControl(c))) {
      if (!actorTyped(leaf)) {
        // The default, the OS user's name (a Łukasz): not the person's mistake, and only a loopback listener
        // would use it; it stays unsent and that listener records "local".
        sentActor = null;
      } else {
        throw usage(leaf, "--actor must be printable ISO-8859-1 characters (it is sent in an HTTP header), was '"
            + actor + "'");
      }
    }
    // A bad --admin-url is a usage mistake (exit 2) as any other option's, not a refusal by the API (exit 1).
    URI uri;
    try {
      uri = new URI(adminUrl);
      // RFC 3986: a scheme is case-insensitive (HTTPS://GW-ADMIN... pasted from a document). In lower case, so the
      // checks below, and the rule that credentials go over https:// only, see it as the scheme it is.
      String scheme = uri.getScheme();
      if (scheme != null && !scheme.equals(scheme.toLowerCase(java.util.Locale.ROOT))) {
        uri = new URI(scheme.toLowerCase(java.util.Locale.ROOT) + adminUrl.substring(scheme.length()));
      }
    } catch (URISyntaxException e) {
      throw usage(leaf, "--admin-url '" + adminUrl + "' is not a URL");
    }
    if (uri.getRawUserInfo() != null) {
      // Never sent (the API takes no passwords in the URL) and it would be printed back in every message.
      throw usage(leaf, "--admin-url must not hold user information (user:password@);"
          + " the admin API does not take it");
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null
        || uri.getPort() > 65535) {
      throw usage(leaf, "--admin-url must be http://HOST:PORT or https://HOST:PORT, was '"
          + adminUrl + "'");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (uri.getRawQuery() != null || uri.getRawFragment() != null
        || ("/" + path + "/").contains("/./") || ("/" + path + "/").contains("/../")) {
      throw usage(leaf, "--admin-url may end in a path prefix (behind a reverse proxy) but"
          + " not in a query, a fragment or . and .. segments, was '" + adminUrl + "'");
    }
    boolean credentials = caFile != null || certFile != null || keyFile != null || tokenFile != null;
    if (credentials && !"https".equals(uri.getScheme())) {
      // A token would cross the network in clear, and certificates only mean something with TLS.
      throw usage(leaf, "--ca-file, --cert-file, --key-file and --token-file need an https:// --admin-url, was '"
          + adminUrl + "'");
    }
    // --token-file first; then the environment, which a script or a shell can set without a file, and which other
    // users cannot read as they can a command line (ps). An empty variable counts as unset.
    String envToken = tokenFile == null ? environment.apply(TOKEN_VARIABLE) : null;
    if (envToken != null && !envToken.isEmpty() && !"https".equals(uri.getScheme())) {
      throw usage(leaf, TOKEN_VARIABLE + " is set, and a token needs an https:// --admin-url (it would cross the"
          + " network in clear), was '" + adminUrl + "'; unset it for a plain http:// listener");
    }
    // Our own context for every https:// URL, credentials or not, to learn whether the listener wanted a certificate.
    AdminTls.Context tls = "https".equals(uri.getScheme()) ? AdminTls.context(leaf, caFile, certFile, keyFile) : null;
    String token = tokenFile != null ? AdminTls.token(leaf, tokenFile)
        : envToken != null && !envToken.isEmpty() ? AdminTls.token(leaf, TOKEN_VARIABLE, envToken) : null;
    return new AdminClient(uri, sentActor, tls, token, AdminClient.REQUEST_TIMEOUT);
  }

  /** Whether --actor was on the command line, before or after a subcommand, rather than its default. */
  private static boolean actorTyped(CommandSpec leaf) {
    for (CommandLine c = leaf.commandLine(); c != null; c = c.getParent()) {
      if (c.getParseResult() != null && c.getParseResult().hasMatchedOption("--actor")) {
        return true;
      }
    }
    return false;
  }

  /**
   * A value in a sentence, "-" when the answer lacks it or holds null, as tables show an empty cell: never the
   * word "null" (a login "null", "lifted by null"), which reads as a name.
   */
  static String shown(Object value) {
    return value == null ? "-" : String.valueOf(value);
  }

  /**
   * Who made a block: a manual block names its maker; an automatic one has none (null, its {@code createdBy} is
   * there with no value), and was made by the gateway itself.
   */
  static String maker(JsonObject block) {
    String by = block.getString("createdBy");
    return by != null ? by : "manual".equals(block.getString("kind")) ? null : "gateway";
  }

  /** Who did what an audit event records: the gateway itself for its automatic blocks, which name no actor. */
  static String actor(JsonObject event) {
    String actor = event.getString("actor");
    return actor == null && "block-issued-automatic".equals(event.getString("action")) ? "gateway" : actor;
  }

  /** An ISO instant as a shorter UTC time for tables. */
  static String time(String iso) {
    if (iso == null) {
      return null;
    }
    String s = iso.replace('T', ' ');
    int dot = s.indexOf('.');
    return (dot > 0 ? s.substring(0, dot) : s.replace("Z", "")) + "Z";
  }

  static CommandLine.ParameterException usage(CommandSpec spec, String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
