# syntax=docker/dockerfile:1
# JVM image of the daemon. The database kind is fixed at build time:
#   docker build -t ocf-cloud-bridge .                              (embedded H2 in /deployments/data)
#   docker build --build-arg DB_KIND=postgresql -t ocf-cloud-bridge:pg .   (then set QUARKUS_DATASOURCE_JDBC_URL etc.)
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY src/ src/
ARG DB_KIND=h2
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -ntp package -DskipTests -Dbridge.db-kind=${DB_KIND}

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 185 --home-dir /deployments --shell /usr/sbin/nologin bridge \
 && mkdir -p /deployments/data && chown -R 185:185 /deployments && chmod 700 /deployments/data
WORKDIR /deployments
COPY --from=build --chown=185:185 /src/target/quarkus-app/ /deployments/
COPY --chown=185:185 bin/cds-archive /deployments/bin/cds-archive
USER 185
# AppCDS (issue 13): a training run of the daemon in this image, with this image's JVM (an archive only maps into the
# JVM that wrote it), leaves the classes loaded up to "ready" in app-cds.jsa for every start. Without it (the run
# failed, e.g. a PostgreSQL build has no database here) the daemon starts as before.
RUN bin/cds-archive /deployments/quarkus-run.jar /deployments/app-cds.jsa -XX:+UseSerialGC -Xms32m \
 || echo "no class archive: the daemon starts without it"
# JAVA_OPTS replaces these defaults: the serial collector and a heap that starts small (a small daemon on few cores),
# two glibc malloc arenas (native memory); BRIDGE_CDS=off starts without the class archive.
ENV BRIDGE_DATA_DIR=/deployments/data \
    MALLOC_ARENA_MAX=2 \
    JAVA_OPTS="-XX:+UseSerialGC -Xms32m -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
VOLUME /deployments/data
# HTTP (Cloud API, OAuth2, operations), CoAP over TCP, CoAP over TLS
EXPOSE 8080 5683 5684
# umask 077: whatever the daemon creates in the data volume is its user's alone.
ENTRYPOINT ["sh", "-c", "umask 077 && cds= && if [ \"${BRIDGE_CDS:-on}\" != off ] && [ -f app-cds.jsa ]; then cds='-XX:SharedArchiveFile=/deployments/app-cds.jsa -Xlog:cds=off -Xlog:cds+dynamic=off'; fi && exec java $JAVA_OPTS $cds -jar /deployments/quarkus-run.jar"]
