# Build a wheel in one stage, install it in a slim non-root image in the next.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY chatbot ./chatbot
COPY handlers ./handlers
COPY storage ./storage
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 spip
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER spip
WORKDIR /home/spip
ENV SPIP_DATA_DIR=/home/spip/data \
    PYTHONUNBUFFERED=1
VOLUME ["/home/spip/data"]
EXPOSE 8443
CMD ["spip-bot", "run"]
