-- tally schema 3: the shipped model price table (project_id 0), SPEC §5.1.
--
-- Prices taken: 2025-08-15. List prices in USD per million tokens from the
-- vendors' public price pages as of that date; every row carries the date in
-- source_date. They are in force from 2000-01-01 (946684800000 ms), the
-- earliest time tally accepts, so backfilled calls are priced too: the
-- first table is the best price known for any earlier call.
--
-- Columns below: provider, pattern, input, output, cached input. Cached is
-- the price of a cached prompt token (OpenAI cached input, Anthropic cache
-- read, Gemini context cache); a model without a cache discount has its
-- input price there, so cached tokens never become free. Cache writes,
-- batch discounts and audio or image tokens are not modelled.
--
-- Provider: model families sold under one name everywhere (GPT and the
-- o-series, Claude, Gemini) leave it empty, so calls through Azure, Vertex
-- AI, Bedrock or an OpenTelemetry exporter that spells the provider its own
-- way (gcp.gemini) are priced at the vendor's list price. Open-weight models,
-- whose price depends on who runs them, name the host: 'mistral' for
-- Mistral's own API, 'together' for Llama on Together AI (serverless prices
-- and Together's model ids).
--
-- Patterns: the longest matching pattern wins, so every variant priced
-- differently from its family has a row of its own ('gpt-4o-mini*' beside
-- 'gpt-4o*', 'o1-pro*' beside 'o1*').
--
-- New prices go in a later migration with a later effective date: calls are
-- priced by the row in force at their own time, so old rows stay.

WITH shipped(provider, pattern, input_usd, output_usd, cached_usd) AS (VALUES
  -- OpenAI (platform.openai.com/docs/pricing, standard tier)
  ('', 'gpt-5*',                     1.25,   10.00,   0.125),
  ('', 'gpt-5-mini*',                0.25,    2.00,   0.025),
  ('', 'gpt-5-nano*',                0.05,    0.40,   0.005),
  ('', 'gpt-4.1*',                   2.00,    8.00,   0.50),
  ('', 'gpt-4.1-mini*',              0.40,    1.60,   0.10),
  ('', 'gpt-4.1-nano*',              0.10,    0.40,   0.025),
  ('', 'gpt-4.5-preview*',          75.00,  150.00,  37.50),
  ('', 'gpt-4o*',                    2.50,   10.00,   1.25),
  ('', 'gpt-4o-2024-05-13',          5.00,   15.00,   5.00),
  ('', 'chatgpt-4o-latest',          5.00,   15.00,   5.00),
  ('', 'gpt-4o-mini*',               0.15,    0.60,   0.075),
  -- realtime: text token prices (audio tokens cost more; a call does not tell them apart)
  ('', 'gpt-4o-realtime*',           5.00,   20.00,   2.50),
  ('', 'gpt-4o-mini-realtime*',      0.60,    2.40,   0.30),
  -- speech: input audio / output text for transcribe, input text / output audio for tts
  ('', 'gpt-4o-transcribe*',         6.00,   10.00,   6.00),
  ('', 'gpt-4o-mini-transcribe*',    3.00,    5.00,   3.00),
  ('', 'gpt-4o-mini-tts*',           0.60,   12.00,   0.60),
  ('', 'o1*',                       15.00,   60.00,   7.50),
  ('', 'o1-mini*',                   1.10,    4.40,   0.55),
  ('', 'o1-pro*',                  150.00,  600.00, 150.00),
  ('', 'o3*',                        2.00,    8.00,   0.50),
  ('', 'o3-mini*',                   1.10,    4.40,   0.55),
  ('', 'o3-pro*',                   20.00,   80.00,  20.00),
  ('', 'o3-deep-research*',         10.00,   40.00,   2.50),
  ('', 'o4-mini*',                   1.10,    4.40,   0.275),
  ('', 'o4-mini-deep-research*',     2.00,    8.00,   0.50),
  ('', 'codex-mini-latest',          1.50,    6.00,   0.375),
  ('', 'gpt-4-turbo*',              10.00,   30.00,  10.00),
  ('', 'gpt-4-*-preview',           10.00,   30.00,  10.00),
  ('', 'gpt-4',                     30.00,   60.00,  30.00),
  ('', 'gpt-4-0613',                30.00,   60.00,  30.00),
  ('', 'gpt-4-32k*',                60.00,  120.00,  60.00),
  ('', 'gpt-3.5-turbo*',             0.50,    1.50,   0.50),
  ('', 'gpt-3.5-turbo-1106',         1.00,    2.00,   1.00),
  ('', 'gpt-3.5-turbo-16k*',         3.00,    4.00,   3.00),
  ('', 'gpt-3.5-turbo-instruct*',    1.50,    2.00,   1.50),

  -- Anthropic (docs.anthropic.com pricing; cached = cache read)
  ('', 'claude-opus-4*',            15.00,   75.00,   1.50),
  ('', 'claude-sonnet-4*',           3.00,   15.00,   0.30),
  ('', 'claude-3-7-sonnet*',         3.00,   15.00,   0.30),
  ('', 'claude-3-5-sonnet*',         3.00,   15.00,   0.30),
  ('', 'claude-3-5-haiku*',          0.80,    4.00,   0.08),
  ('', 'claude-3-opus*',            15.00,   75.00,   1.50),
  ('', 'claude-3-sonnet*',           3.00,   15.00,   0.30),
  ('', 'claude-3-haiku*',            0.25,    1.25,   0.03),

  -- Google Gemini API (ai.google.dev pricing, paid tier; for 2.5 Pro and
  -- 1.5 the prompts up to 200k / 128k tokens, longer prompts cost more)
  ('', 'gemini-2.5-pro*',            1.25,   10.00,   0.31),
  ('', 'gemini-2.5-flash*',          0.30,    2.50,   0.075),
  ('', 'gemini-2.5-flash-lite*',     0.10,    0.40,   0.025),
  ('', 'gemini-2.0-flash*',          0.10,    0.40,   0.025),
  ('', 'gemini-2.0-flash-lite*',     0.075,   0.30,   0.075),
  ('', 'gemini-1.5-pro*',            1.25,    5.00,   0.3125),
  ('', 'gemini-1.5-flash*',          0.075,   0.30,   0.01875),
  ('', 'gemini-1.5-flash-8b*',       0.0375,  0.15,   0.01),

  -- Mistral (mistral.ai/pricing, la Plateforme; no cache discount)
  ('mistral', 'mistral-large*',      2.00,    6.00,   2.00),
  ('mistral', 'mistral-medium*',     0.40,    2.00,   0.40),
  ('mistral', 'mistral-small*',      0.10,    0.30,   0.10),
  ('mistral', 'mistral-saba*',       0.20,    0.60,   0.20),
  ('mistral', 'mistral-embed*',      0.10,    0.00,   0.10),
  ('mistral', 'magistral-medium*',   2.00,    5.00,   2.00),
  ('mistral', 'magistral-small*',    0.50,    1.50,   0.50),
  ('mistral', 'codestral*',          0.30,    0.90,   0.30),
  ('mistral', 'codestral-embed*',    0.15,    0.00,   0.15),
  ('mistral', 'devstral-medium*',    0.40,    2.00,   0.40),
  ('mistral', 'devstral-small*',     0.10,    0.30,   0.10),
  ('mistral', 'ministral-8b*',       0.10,    0.10,   0.10),
  ('mistral', 'ministral-3b*',       0.04,    0.04,   0.04),
  ('mistral', 'pixtral-large*',      2.00,    6.00,   2.00),
  ('mistral', 'pixtral-12b*',        0.15,    0.15,   0.15),
  ('mistral', 'open-mistral-nemo*',  0.15,    0.15,   0.15),

  -- Meta Llama as served by Together AI (together.ai/pricing, serverless);
  -- exact model ids: the -Free and -Reference variants are priced otherwise
  ('together', 'meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo',       0.18, 0.18, 0.18),
  ('together', 'meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo',      0.88, 0.88, 0.88),
  ('together', 'meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo',     3.50, 3.50, 3.50),
  ('together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo',           0.88, 0.88, 0.88),
  ('together', 'meta-llama/Llama-3.2-3B-Instruct-Turbo',            0.06, 0.06, 0.06),
  ('together', 'meta-llama/Llama-4-Scout-17B-16E-Instruct',         0.18, 0.59, 0.18),
  ('together', 'meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8', 0.27, 0.85, 0.27)
)
-- USD with at most 5 decimals times 1e9 is within 1e-6 of an integer:
-- round() gives the exact nano-dollar amount.
INSERT INTO model_prices (project_id, provider, pattern, input_nusd, output_nusd,
    cached_nusd, effective_from, source_date)
SELECT 0, provider, pattern, CAST(round(input_usd * 1e9) AS INTEGER),
    CAST(round(output_usd * 1e9) AS INTEGER), CAST(round(cached_usd * 1e9) AS INTEGER),
    946684800000, '2025-08-15'
FROM shipped;
