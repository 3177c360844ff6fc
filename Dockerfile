# Install the package into a virtual environment in one stage, copy that environment into a
# clean non-root image in the next. PYTHON_IMAGE: any image with Python 3.11+ and its venv
# module (docs/operations.md, "Docker": a base made from Debian's packages when Docker Hub
# cannot be reached).
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
RUN python3 -m venv /opt/spip-bot
COPY pyproject.toml README.md ./
COPY chatbot ./chatbot
COPY handlers ./handlers
COPY storage ./storage
COPY whatsapp ./whatsapp
RUN /opt/spip-bot/bin/pip install --no-cache-dir --disable-pip-version-check . \
    && /opt/spip-bot/bin/spip-bot --help > /dev/null

FROM ${PYTHON_IMAGE}
RUN useradd --create-home --uid 10001 --user-group spip
COPY --from=build /opt/spip-bot /opt/spip-bot
ENV PATH=/opt/spip-bot/bin:$PATH \
    SPIP_DATA_DIR=/home/spip/data \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
USER spip
WORKDIR /home/spip
# made by the user before VOLUME: a new named volume takes this folder's owner, so the bot
# (not root) can write the database and the evidence into it
RUN mkdir -p /home/spip/data
VOLUME ["/home/spip/data"]
# 8443: Telegram's webhook (spip-bot run --webhook-url ...); 8444: spip-bot run-whatsapp
EXPOSE 8443 8444
# `spip-bot doctor --local`: settings, the database (reachable, at this version's schema), the
# evidence folder, the outbox and the day's steps, without calling Telegram or WhatsApp (a
# passing fault there is not this container's; `docker exec ... spip-bot doctor` checks them);
# three failures in a row before the container is marked unhealthy
HEALTHCHECK --interval=5m --timeout=60s --start-period=2m --retries=3 \
    CMD ["spip-bot", "doctor", "--local"]
CMD ["spip-bot", "run"]
