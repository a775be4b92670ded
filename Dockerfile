# Airbyte's Python connector base image (Python 3.11), pinned by digest for reproducible builds.
FROM docker.io/airbyte/python-connector-base:4.0.2@sha256:9fdb1888c4264cf6fee473649ecb593f56f58e5d0096a87ee0b231777e2e3e73

WORKDIR /airbyte/integration_code
COPY pyproject.toml README.md ./
COPY source_confluence ./source_confluence
RUN pip install --no-cache-dir .

# The same console script that `make test` runs outside Docker.
ENV AIRBYTE_ENTRYPOINT="source-confluence"
ENTRYPOINT ["source-confluence"]
