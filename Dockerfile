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
USER 185
ENV BRIDGE_DATA_DIR=/deployments/data \
    JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
VOLUME /deployments/data
# HTTP (Cloud API, OAuth2, operations), CoAP over TCP, CoAP over TLS
EXPOSE 8080 5683 5684
# umask 077: whatever the daemon creates in the data volume is its user's alone.
ENTRYPOINT ["sh", "-c", "umask 077 && exec java $JAVA_OPTS -jar /deployments/quarkus-run.jar"]
