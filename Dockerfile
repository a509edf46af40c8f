# Multi-stage image of the gateway. Mirrors the README: `mvn package` builds, `java -jar` runs.
# The runtime is a full JDK (not a jlink JRE): Chronicle Map compiles code at run time.

FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
COPY pom.xml .
COPY gateway/pom.xml gateway/
COPY hibp-loader/pom.xml hibp-loader/
COPY load-tests/pom.xml load-tests/
# Dependencies first, in their own layer, so a source change does not download them again.
RUN mvn -B -q -pl gateway,hibp-loader -am dependency:go-offline -DskipTests || true
COPY . .
RUN mvn -B -q -pl gateway,hibp-loader -am package -DskipTests

FROM eclipse-temurin:25-jdk
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/gateway gateway \
 && mkdir -p /var/lib/gateway /etc/gateway \
 && chown gateway /var/lib/gateway
COPY --from=build /src/gateway/target/gateway.jar /src/gateway/target/jvm.options /opt/gateway/
COPY --from=build /src/gateway/target/lib /opt/gateway/lib
# The HIBP set builder, for building and swapping sets inside the container:
#   docker exec ... java -jar /opt/hibp-loader/hibp-loader.jar build /input -o /var/lib/gateway/hibp/new.set
COPY --from=build /src/hibp-loader/target/hibp-loader.jar /opt/hibp-loader/
COPY --from=build /src/hibp-loader/target/lib /opt/hibp-loader/lib
COPY conf/ /etc/gateway/
# Configuration (gateway.yaml, the TLS certificate and key, which the gateway needs to start: tls.cert-file and
# tls.key-file, or GATEWAY_TLS__CERT_FILE and GATEWAY_TLS__KEY_FILE) is mounted here; data (Chronicle maps, HIBP
# set) lives on its own volume so it survives image upgrades.
VOLUME ["/etc/gateway", "/var/lib/gateway"]
ENV GATEWAY_DATA_DIR=/var/lib/gateway
USER gateway
WORKDIR /var/lib/gateway
# Only the public listener. The admin listener (9090: health, metrics, console) binds the container's loopback
# unless admin.host says otherwise, which needs admin.tls for the console (README): published, 9090 would lead
# nowhere. The health check below runs inside the container and asks the admin listener where the running
# gateway wrote it is (data-dir/admin-listener.url: port, address and TLS as configured; --insecure for its own
# certificate on loopback, no client certificate). The file's second line is the writer's process id: a file without
# one, or whose process is gone (a gateway killed with -9), is refused rather than its old port asked.
EXPOSE 8443
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD { read -r url && read -r pid; } < "$GATEWAY_DATA_DIR/admin-listener.url" && [ -n "$pid" ] \
    && [ -d "/proc/$pid" ] && curl -fsS --insecure "$url/health/live" || exit 1
ENTRYPOINT ["sh", "-c", "exec java $(cat /opt/gateway/jvm.options) --sun-misc-unsafe-memory-access=allow $JAVA_OPTS -jar /opt/gateway/gateway.jar --config /etc/gateway/gateway.yaml \"$@\"", "--"]
