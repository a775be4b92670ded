# Airbyte's Python connector base image (Python 3.11), pinned by digest for reproducible builds;
# metadata.yaml's connectorBuildOptions.baseImage names the same image.
FROM docker.io/airbyte/python-connector-base:4.0.2@sha256:9fdb1888c4264cf6fee473649ecb593f56f58e5d0096a87ee0b231777e2e3e73

WORKDIR /airbyte/integration_code

# The connector runs from its own virtualenv, holding exactly poetry.lock's runtime dependencies
# (no dev or pipeline extras). The pinned Poetry that installs them, as `make install` does, is
# removed once it has.
ENV VIRTUAL_ENV=/airbyte/venv
ENV PATH="/airbyte/venv/bin:${PATH}"
COPY tools/poetry-requirements.txt ./tools/
RUN python -m venv /tmp/poetry \
    && /tmp/poetry/bin/pip install --no-cache-dir -r tools/poetry-requirements.txt \
    && python -m venv /airbyte/venv
COPY pyproject.toml poetry.lock README.md ./
COPY source_confluence ./source_confluence
COPY confluence_double ./confluence_double
RUN POETRY_VIRTUALENVS_CREATE=false POETRY_NO_INTERACTION=1 /tmp/poetry/bin/poetry sync --only main --compile \
    && rm -rf /tmp/poetry /root/.cache
# The connector's own modules as bytecode in the image: Poetry installs the project itself as a path,
# uncompiled, and every sync starts a fresh container that would compile them all again (start-up).
RUN python -m compileall -q source_confluence

# The same console script that `make test` runs outside Docker.
ENV AIRBYTE_ENTRYPOINT="source-confluence"
ENTRYPOINT ["source-confluence"]
