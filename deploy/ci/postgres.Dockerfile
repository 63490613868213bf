# A PostgreSQL image from Debian's packages that starts like the official one (POSTGRES_DB,
# POSTGRES_USER, POSTGRES_PASSWORD; data in /var/lib/postgresql/data), for the compose test on
# machines that reach no image registry. Built by base_images.sh; not for production.
ARG BASE
FROM ${BASE}
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
RUN mkdir -p "$PGDATA" /var/run/postgresql \
    && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql \
    && chmod 700 "$PGDATA"
USER postgres
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]
