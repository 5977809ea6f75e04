"""Deterministic articles shaped like the seed and the corpus, for the benchmarks.

    bench/.venv/bin/python bench/generate.py 2000 [--out DIR] [--seed 6]

Writes N Markdown files with YAML frontmatter (title, date, description, tags,
authors; sometimes an image and a language) to a folder — by default
``bench/data/articles-N`` — that both ``import_articles`` and Pelican (with
``pelican-yaml-metadata``) read. Bodies look like the Docusaurus and Hugo posts in
``shared/corpus``: 700–2,600 words (median about 1,400), an intro (often with
``<!-- truncate -->`` and a remote image), a few ``##`` sections and ``###``
subsections, paragraphs with links, inline code and emphasis, bullet and numbered
lists, a fenced code block (sometimes two), a table now and then, the odd
``:::note`` admonition, quote and footnote. About one article in seven is Spanish,
like the seed.

Article ``i`` depends only on the seed and ``i`` (titles are re-drawn on the rare
slug collision, in order), so the 500-article set is the first 500 of the
2,000-article set. The metadata alone (:func:`metadata`) is cheap, which is how
``bench/scale.py`` names 100,000 posts without writing their bodies.
"""

import argparse
import datetime as dt
import hashlib
import json
import math
import random
import re
import sys
import unicodedata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DATA = BENCH / "data"
SEED = 6

EN_FUNCTION = (
    "the the the of of and and to to a a in in is for that with on as it by this are be from or can your "
    "you we an which when more each all not how its but into they their also than so one our at has have "
    "will what if only most about these other there then just out up some like any both very over after"
).split()
EN_CONTENT = (
    "application service request response latency throughput memory process worker thread queue cache "
    "database index query table column row schema migration release version deploy build pipeline test "
    "team project user customer feature change review design pattern model data result error failure "
    "network traffic load balancer endpoint server client browser page template render cost budget time "
    "first second simple complex fast slow safe reliable small large default common practical useful "
    "configure install run measure compare improve reduce scale monitor debug fix write read store send "
    "receive handle support enable replace keep choose start stop need use make show help explain learn "
    "approach example step guide workflow decision tradeoff problem solution option setting value limit "
    "resource capacity region zone instance container image registry secret token policy permission role "
    "access identity audit log metric trace alert dashboard report incident recovery backup restore "
    "storage volume file folder path document record event message stream batch job schedule task "
    "system platform framework library package module function class method object interface contract"
).split()
# Words that mark an article's topic: frequent in its articles, rare elsewhere,
# so a search for one finds a realistic few percent of the posts.
TOPICS = {
    "kubernetes": "kubernetes cluster pod ingress helm kubectl namespace",
    "postgres": "postgresql vacuum replication wal planner tablespace",
    "python": "python asyncio virtualenv pytest decorator generator",
    "django": "django queryset middleware admin migrations orm",
    "llm": "llm prompt embeddings tokens inference transformer",
    "observability": "opentelemetry prometheus grafana tracing sampling exporter",
    "security": "tls certificate vulnerability sandbox encryption csrf",
    "frontend": "javascript typescript react bundler hydration css",
    "networking": "dns tcp http2 quic routing firewall",
    "mongodb": "mongodb ferretdb bson aggregation collection replicaset",
    "ci": "github actions workflow runner artifact matrix",
    "rust": "rust borrow cargo lifetime trait tokio",
    "data": "spark parquet warehouse etl airflow dbt",
    "mlops": "flyte kubeflow training gpu notebook feature-store",
    "serverless": "lambda functions cold-start edge worker durable",
    "search": "lucene elasticsearch ranking tokenizer synonym bm25",
}
TOPIC_TAGS = {
    "kubernetes": ["Kubernetes", "AKS", "operations", "networking"],
    "postgres": ["PostgreSQL", "databases", "performance", "SQL"],
    "python": ["Python", "programming", "testing", "tutorial"],
    "django": ["Django", "Python", "web development", "tutorial"],
    "llm": ["IA generativa", "LLMs", "tecnología de IA", "prompt engineering", "AI"],
    "observability": ["observability", "monitoring", "operations", "OpenTelemetry"],
    "security": ["security", "best practices", "TLS", "compliance"],
    "frontend": ["JavaScript", "React", "web development", "CSS"],
    "networking": ["networking", "DNS", "HTTP", "operations"],
    "mongodb": ["FerretDB", "MongoDB", "open source", "community", "compatible applications"],
    "ci": ["CI/CD", "GitHub Actions", "DevOps", "automation"],
    "rust": ["Rust", "programming", "performance", "systems"],
    "data": ["data engineering", "analytics", "Apache Spark", "ETL"],
    "mlops": ["MLOps", "AI", "GPU", "Kubeflow"],
    "serverless": ["serverless", "cloud", "edge computing", "architecture"],
    "search": ["search", "Elasticsearch", "relevance", "information retrieval"],
}
EXTRA_TAGS = (
    "release notes;announcements;community;open source;how-to;case study;events;architecture;cost optimization;"
    "migration;storage;benchmarks;documentation;accessibility;product;engineering culture;career;interviews;"
    "Ingeniería de Prompts;aprendizaje automático;bases de datos;desarrollo web;tutorial en español"
).split(";")
ES_FUNCTION = (
    "el la los las de de del y y en en que que un una para con por como es se su sus al más o pero "
    "este esta estos cada muy también cuando donde sin sobre entre todo hay"
).split()
ES_CONTENT = (
    "aplicación servicio solicitud respuesta memoria proceso equipo proyecto usuario cliente función "
    "cambio diseño patrón modelo datos resultado error red tráfico servidor navegador página plantilla "
    "costo tiempo rápido lento seguro sencillo complejo práctico útil configurar instalar ejecutar medir "
    "comparar mejorar reducir escalar supervisar depurar escribir leer guardar enviar recibir manejar "
    "ejemplo paso guía flujo decisión problema solución opción valor límite recurso capacidad región "
    "contenedor imagen registro secreto política permiso acceso identidad métrica alerta informe copia "
    "almacenamiento volumen archivo carpeta documento evento mensaje tarea sistema plataforma biblioteca "
    "inteligencia artificial generativa lenguaje entrenamiento desarrolladores industria contenido"
).split()
TITLE_PATTERNS_EN = [
    "{Verb} {topic} {prep} {noun}", "How we {verb} {topic} {noun}s", "{Topic} {noun}s: a practical guide",
    "A {adj} {noun} for {topic}", "{Verb} your {topic} {noun} in {n} steps", "Why {topic} {noun}s {verb2}",
    "{Topic} {noun} {noun2}: what changed", "Lessons from {verb}ing {topic} at scale",
    "{Adj} {topic}: {noun}s and {noun2}s", "Getting started with {topic} {noun}s",
]
TITLE_PATTERNS_ES = [
    "Cómo {verb_es} {topic} con {noun_es}", "{Topic} y {noun_es}: guía práctica", "{Noun_es} {adj_es} para {topic}",
    "{Topic}: {noun_es} y {noun2_es} en {n} pasos", "Entendiendo {topic} y {noun_es}",
]
VERBS = "deploy measure debug scale migrate secure monitor test tune build ship cache index run".split()
VERBS2 = ["matter", "fail", "break", "slow down", "pay off", "still win"]
ADJS = "faster safer simpler cheaper better practical modern reliable hidden incremental".split()
PREPS = "with without for behind across".split()
VERBS_ES = "desplegar medir depurar escalar migrar proteger supervisar probar construir".split()
ADJS_ES = "rápido seguro sencillo práctico moderno fiable".split()
AUTHORS = [
    "alex", "marcin", "sachi-desai", "Charlytoc", "paige-kim", "ivan-petrov", "lucia-gomez", "sam-okafor",
    "dana-lee", "tomas-novak", "priya-raman", "chen-wei",
]
CODE = {
    "python": [
        "import {w}", "from {w}.{w2} import {W}", "def {w}_{w2}(items, limit=10):", "    return [x for x in items if x.{w}]",
        "{w} = {W}(timeout={n})", "for {w} in {w2}s:", "    print(f\"{{{w}}}: {{len({w2})}}\")", "result = {w}.{w2}({n})",
        "class {W}{W2}:", "    def __init__(self, {w}):", "        self.{w} = {w}", "# {w} the {w2} before the next step",
    ],
    "bash": [
        "kubectl get {w}s -n {w2}", "helm upgrade --install {w} ./charts/{w2}", "export {WW}_{WW2}={n}",
        "curl -sS https://{w}.example.com/{w2} | jq .", "az {w} {w2} create --name {w}-{n}", "docker run --rm {w}/{w2}:{n}",
        "psql -c 'select count(*) from {w}'", "# {w} {w2} first",
    ],
    "yaml": [
        "apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: {w}-{w2}", "spec:", "  replicas: {n}",
        "  template:", "    spec:", "      containers:", "        - name: {w}", "          image: {w}/{w2}:{n}",
        "          resources: {{limits: {{memory: {n}Mi}}}}",
    ],
    "javascript": [
        "import {{ {w} }} from '{w2}';", "const {w} = await fetch(`/api/{w2}/${{id}}`);", "export function {w}({w2}) {{",
        "  return {w2}.map((x) => x.{w});", "}}", "for (const {w} of {w2}s) {{", "  console.log({w}, {n});",
        "// {w} the {w2} here",
    ],
    "sql": [
        "SELECT {w}, count(*) AS {w2}_count", "FROM {w}s", "JOIN {w2}s ON {w2}s.{w}_id = {w}s.id",
        "WHERE created_at > now() - interval '{n} days'", "GROUP BY {w}", "ORDER BY {w2}_count DESC", "LIMIT {n};",
        "CREATE INDEX ON {w}s ({w2});",
    ],
    "json": ['{{', '  "{w}": "{w2}",', '  "{w2}": {n},', '  "enabled": true,', '  "items": ["{w}", "{w2}"]', '}}'],
}
LINK_HOSTS = [
    "https://learn.microsoft.com/azure", "https://kubernetes.io/docs", "https://www.postgresql.org/docs/current",
    "https://docs.python.org/3/library", "https://docs.djangoproject.com/en/5.2", "https://github.com",
    "https://4geeks.com/es/lesson", "https://www.ferretdb.com/docs", "https://developer.mozilla.org/en-US/docs",
]
START = dt.datetime(2016, 1, 4, tzinfo=dt.UTC)
SPAN_DAYS = 3800


class Words:
    """Sentences and paragraphs from a seeded generator, in one language, about one topic."""

    def __init__(self, rng, language, topic):
        self.rng = rng
        self.function, self.content = (ES_FUNCTION, ES_CONTENT) if language == "es" else (EN_FUNCTION, EN_CONTENT)
        self.topic = TOPICS[topic].split()
        self.count = 0

    def word(self):
        roll = self.rng.random()
        if roll < 0.42:
            return self.rng.choice(self.function)
        if roll < 0.47:
            return self.rng.choice(self.topic)
        return self.rng.choice(self.content)

    def sentence(self, low=8, high=24, inline=True):
        rng = self.rng
        words = [self.word() for _ in range(rng.randint(low, high))]
        self.count += len(words)
        if inline:
            if rng.random() < 0.15:
                i = rng.randrange(len(words))
                words[i] = f"`{words[i]}.{rng.choice(self.content)}`"
            if rng.random() < 0.12:
                i = rng.randrange(len(words))
                words[i] = f"**{words[i]}**"
            elif rng.random() < 0.08:
                i = rng.randrange(len(words))
                words[i] = f"*{words[i]}*"
        if rng.random() < 0.12 and len(words) > 8:
            words[rng.randrange(3, len(words) - 2)] += ","
        text = " ".join(words)
        return text[0].upper() + text[1:] + rng.choice("......?")

    def link(self):
        rng = self.rng
        anchor = " ".join(self.word() for _ in range(rng.randint(1, 4)))
        self.count += len(anchor.split())
        path = "/".join(rng.choice(self.content) for _ in range(rng.randint(1, 3)))
        return f"[{anchor}]({rng.choice(LINK_HOSTS)}/{path})"

    def paragraph(self, low=2, high=6):
        rng = self.rng
        sentences = [self.sentence() for _ in range(rng.randint(low, high))]
        for _ in range(rng.choices((0, 1, 2), (4, 4, 2))[0]):
            i = rng.randrange(len(sentences))
            if rng.random() < 0.3:
                sentences[i] += f" See {self.link()}."
            else:
                sentences[i] = f"{sentences[i][:-1]} ({self.link()}){sentences[i][-1]}"
        return " ".join(sentences)

    def phrase(self, low=3, high=7):
        words = [self.word() for _ in range(self.rng.randint(low, high))]
        self.count += len(words)
        text = " ".join(words)
        return text[0].upper() + text[1:]


def _slug(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _title(rng, language, topic):
    words = TOPICS[topic].split()
    topic_word = rng.choice(words)
    noun, noun2 = rng.sample(EN_CONTENT[:180], 2)
    if language == "es":
        noun_es, noun2_es = rng.sample(ES_CONTENT, 2)
        values = {
            "topic": topic_word, "Topic": topic_word.capitalize(), "verb_es": rng.choice(VERBS_ES), "noun_es": noun_es,
            "Noun_es": noun_es.capitalize(), "noun2_es": noun2_es, "adj_es": rng.choice(ADJS_ES), "n": rng.randint(3, 9),
        }
        return rng.choice(TITLE_PATTERNS_ES).format(**values)
    verb = rng.choice(VERBS)
    values = {
        "verb": verb, "Verb": verb.capitalize(), "verb2": rng.choice(VERBS2), "topic": topic_word, "Topic": topic_word.capitalize(),
        "noun": noun, "noun2": noun2, "adj": rng.choice(ADJS), "Adj": rng.choice(ADJS).capitalize(), "prep": rng.choice(PREPS),
        "n": rng.randint(3, 9),
    }
    return rng.choice(TITLE_PATTERNS_EN).format(**values)


def _zipf_choice(rng, population, exponent=1.1):
    # Inverse-CDF draw from a Zipf-like distribution over ``population`` (most popular first).
    weights = _zipf_weights(len(population), exponent)
    return population[_bisect(weights, rng.random() * weights[-1])]


_WEIGHTS = {}


def _zipf_weights(n, exponent):
    key = (n, exponent)
    if key not in _WEIGHTS:
        total, cumulative = 0.0, []
        for rank in range(1, n + 1):
            total += 1 / rank**exponent
            cumulative.append(total)
        _WEIGHTS[key] = cumulative
    return _WEIGHTS[key]


def _bisect(cumulative, value):
    low, high = 0, len(cumulative) - 1
    while low < high:
        mid = (low + high) // 2
        if cumulative[mid] < value:
            low = mid + 1
        else:
            high = mid
    return low


def tag_pool(size=None):
    """Tag names, most used first: the topics' tags and extras, then (for ``size``
    beyond those) generated two-word tags, as a large blog accumulates them."""
    names = []
    for topic_tags in TOPIC_TAGS.values():
        names.extend(name for name in topic_tags if name not in names)
    names.extend(name for name in EXTRA_TAGS if name not in names)
    if size is None:
        return names
    rng = random.Random(f"tags:{SEED}")
    seen = {_slug(name) for name in names}
    while len(names) < size:
        name = f"{rng.choice(EN_CONTENT)} {rng.choice(EN_CONTENT + sum((t.split() for t in TOPICS.values()), []))}"
        if _slug(name) not in seen:
            seen.add(_slug(name))
            names.append(name)
    return names[:size]


def metadata(index, seed=SEED, tags=None):
    """Frontmatter of article ``index``: a dict, plus the generator to write its body with.

    ``tags`` is the pool to draw extra tags from (most popular first); the
    article's topic always contributes one or two of its own.
    """
    rng = random.Random(f"tinta-bench:{seed}:{index}")
    language = "es" if rng.random() < 0.14 else "en"
    topic = _zipf_choice(rng, list(TOPICS), 0.8)
    title = _title(rng, language, topic)
    date = START + dt.timedelta(days=rng.uniform(0, SPAN_DAYS))
    date = date.replace(second=0, microsecond=0)
    tags_wanted = rng.choices((1, 2, 3, 4, 5), (10, 25, 35, 20, 10))[0]
    chosen = rng.sample(TOPIC_TAGS[topic], min(len(TOPIC_TAGS[topic]), rng.choice((1, 1, 2))))
    pool = tags or tag_pool()
    while len(chosen) < tags_wanted:
        name = _zipf_choice(rng, pool)
        if name not in chosen:
            chosen.append(name)
    if rng.random() < 0.05:
        chosen[0] = chosen[0].lower()  # as people type tags: "kubernetes" beside "Kubernetes"
    authors = [_zipf_choice(rng, AUTHORS, 0.9)]
    if rng.random() < 0.15:
        second = rng.choice(AUTHORS)
        if second not in authors:
            authors.append(second)
    words = Words(rng, language, topic)
    meta = {
        "title": title,
        "date": date,
        "description": " ".join(words.sentence(10, 22, inline=False) for _ in range(rng.choice((1, 2)))),
        "tags": chosen,
        "authors": authors,
        "language": language,
        "image": f"https://images.example.com/covers/{_slug(title)}.webp" if rng.random() < 0.3 else None,
    }
    return meta, rng, words


def body(rng, words):
    """The Markdown body: intro, sections, lists, code, tables, links."""
    target = int(min(2600, max(700, rng.lognormvariate(math.log(1300), 0.3))))
    blocks = [words.paragraph(2, 5)]
    if rng.random() < 0.5:
        blocks.append(words.paragraph(1, 3))
    if rng.random() < 0.35:
        blocks.append(f"![{words.phrase(2, 4)}](https://raw.githubusercontent.com/example/assets/main/{rng.randint(1, 999)}.webp)")
    if rng.random() < 0.4:
        blocks.append("<!-- truncate -->")
    code_blocks = 1 + (rng.random() < 0.2)
    tables = int(rng.random() < 0.25)
    extras = [*["code"] * code_blocks, *["table"] * tables]
    if rng.random() < 0.15:
        extras.append("admonition")
    if rng.random() < 0.1:
        extras.append("quote")
    footnote = rng.random() < 0.1
    sections = 0
    while words.count < target or extras:
        sections += 1
        blocks.append(f"## {words.phrase(2, 6)}")
        for part in range(rng.randint(1, 3)):
            if part and rng.random() < 0.35:
                blocks.append(f"### {words.phrase(2, 5)}")
            blocks.append(words.paragraph())
            roll = rng.random()
            if roll < 0.3:
                blocks.append(_bullets(rng, words))
            elif roll < 0.4:
                blocks.append(_numbered(rng, words))
            if extras and rng.random() < 0.45:
                kind = extras.pop(rng.randrange(len(extras)))
                blocks.append({"code": _code, "table": _table, "admonition": _admonition, "quote": _quote}[kind](rng, words))
                if kind == "code":
                    blocks.append(words.paragraph(1, 3))
        if sections > 30:
            break
    if footnote:
        blocks[-1] += "[^1]"
    blocks.append(f"## {'Conclusión' if words.function is ES_FUNCTION else 'Conclusion'}")
    blocks.append(words.paragraph(2, 4))
    if footnote:
        blocks.append(f"[^1]: {words.sentence(6, 14)}")
    return "\n\n".join(blocks) + "\n"


def _bullets(rng, words):
    items = []
    for _ in range(rng.randint(3, 6)):
        lead = f"**{words.phrase(1, 3)}**: " if rng.random() < 0.4 else ""
        items.append(f"- {lead}{words.sentence(6, 18)}")
    return "\n".join(items)


def _numbered(rng, words):
    return "\n".join(f"{n}. {words.sentence(5, 14)}" for n in range(1, rng.randint(3, 6) + 1))


def _code(rng, words):
    language = rng.choice(list(CODE))
    lines = []
    for _ in range(rng.randint(6, 24)):
        w, w2 = rng.sample(EN_CONTENT, 2)
        lines.append(rng.choice(CODE[language]).format(
            w=w, w2=w2, W=w.capitalize(), W2=w2.capitalize(), WW=w.upper(), WW2=w2.upper(), n=rng.randint(1, 512),
        ))
    return f"```{language}\n" + "\n".join(lines) + "\n```"


def _table(rng, words):
    columns = rng.randint(3, 5)
    header = [words.phrase(1, 2) for _ in range(columns)]
    rows = [
        [words.phrase(1, 3) if c == 0 else rng.choice((str(rng.randint(1, 9999)), words.phrase(1, 2), "✓", "—")) for c in range(columns)]
        for _ in range(rng.randint(3, 8))
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * columns]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _admonition(rng, words):
    return f":::{rng.choice(('note', 'tip', 'warning', 'info'))}\n\n{words.paragraph(1, 2)}\n\n:::"


def _quote(rng, words):
    return "> " + words.sentence(10, 25)


def markdown(index, seed=SEED, title=None):
    """Article ``index`` as the text of a Markdown file with YAML frontmatter."""
    meta, rng, words = metadata(index, seed)
    text = body(rng, words)
    lines = [
        "---",
        f"title: {json.dumps(title or meta['title'], ensure_ascii=False)}",
        f"date: {meta['date']:%Y-%m-%d %H:%M:%S}",
        f"description: {json.dumps(meta['description'], ensure_ascii=False)}",
        f"tags: {json.dumps(meta['tags'], ensure_ascii=False)}",
        f"authors: {json.dumps(meta['authors'], ensure_ascii=False)}",
    ]
    if meta["language"] != "en":
        lines.append(f"lang: {meta['language']}")
    if meta["image"]:
        lines.append(f"image: {meta['image']}")
    lines.append("---")
    return meta, "\n".join(lines) + "\n\n" + text


def unique_titles(count, seed=SEED):
    """Article titles for indexes 0..count-1, distinct once slugified (Pelican and Tinta
    both derive URLs from them); a collision gets a suffix, deterministically."""
    seen, titles = set(), []
    for index in range(count):
        title = metadata(index, seed)[0]["title"]
        slug, n = _slug(title), 2
        while slug in seen:
            title = f"{metadata(index, seed)[0]['title']}, part {n}"
            slug, n = _slug(title), n + 1
        seen.add(slug)
        titles.append(title)
    return titles


def _fingerprint(count, seed):
    return hashlib.sha256(Path(__file__).read_bytes() + f"{count}:{seed}".encode()).hexdigest()[:16]


def write_articles(count, out=None, seed=SEED):
    """Write ``count`` articles to ``out`` (default ``bench/data/articles-<count>``),
    unless a previous run of this same generator already did; return the folder."""
    out = Path(out) if out else DATA / f"articles-{count}"
    stamp = out / ".generated"
    fingerprint = _fingerprint(count, seed)
    if stamp.exists() and stamp.read_text() == fingerprint:
        return out
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.md"):
        old.unlink()
    for index, title in enumerate(unique_titles(count, seed)):
        meta, text = markdown(index, seed, title=title)
        name = f"{meta['date']:%Y-%m-%d}-{_slug(title)[:80]}.md"
        (out / name).write_text(text, encoding="utf-8")
    stamp.write_text(fingerprint)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--seed", type=int, default=SEED)
    options = parser.parse_args()
    out = write_articles(options.count, options.out, options.seed)
    files = sorted(out.glob("*.md"))
    words = [len(re.sub(r"```.*?```", "", f.read_text(), flags=re.S).split("---", 2)[2].split()) for f in files]
    words.sort()
    print(f"{len(files)} articles in {out}; words per article: min {words[0]}, median {words[len(words) // 2]}, max {words[-1]}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
