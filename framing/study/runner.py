"""Run a study: every stage from one config, cached by content, one output folder.

Stages (each cached by :class:`~framing.study.cache.StageCache`):

``corpus:<name>``
    Build (or reuse) the corpus store; keyed by the card, the raw files'
    sha256 and the build parameters (:func:`framing.datasets.build_corpus`).
``detect:<name>``
    Voice-aware lexicon detection; keyed by the store's content hashes, the
    lexicon's sha256 and the voice rules.
``features``
    One document table across corpora: outlets grouped into the study's
    sources, the before/after period, the calendar day.
``naming``
    Naming shares over time by voice, voice composition, the before/after
    table and the LaTeX macros of the headline numbers.
``presence``, ``rates``, ``its:<source>:<frame>``, ``fightin-words``
    The statistical analyses, each with its figure and table.
``topics-k``, ``topics-fit``, ``topics-report``
    K selection, the LDA model (saved without pickles) and its report.
``classifier``
    Cross-source and time-split validation of a naming classifier trained
    on masked text.
``validation``
    With a ``[validation]`` section: the detector scored against the
    study's gold (referent precision and recall, miss rate, voice accuracy
    per frame) and, with ``correct = true``, the naming shares by source and
    period corrected for that measured error, next to the raw ones.

The output folder is written atomically from the stage folders:
``figures/`` (PDF and PNG), ``tables/`` (CSV and LaTeX) and
``manifest.json`` with input sha256s, versions, seeds, every setting and
the sha256 of every output, and the environment: the dependency lock's
sha256 (``null`` from an installed wheel, which has no lock) and every
dependency's installed version (:mod:`framing.study.environment`).
Nothing in the outputs depends on the clock, so two runs give
byte-identical folders.
"""

from __future__ import annotations

import platform
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..compute import Compute, kept_workers
from ..errors import FramingError
from ..paths import cache_dir
from ..store import atomic_directory, write_json_atomic
from .cache import StageCache, StageResult, content_key, file_sha256
from .config import (
    StudyConfig,
    load_study,
    outlet_problems,
    subset_outlet_problems,
    subset_outlets,
    validation_keys,
)
from .environment import environment_record
from .output import OUTPUT_MARKER, marker_content, output_problems
from .render import (
    estimate_macros,
    latex_macro_name,
    naming_macros,
    save_study_figure,
    slug,
    write_frame_table,
    write_macros,
    write_result_table,
)

__all__ = ["StudyError", "StudyRun", "run_study"]

VERSION_PACKAGES = (
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "duckdb",
    "scikit-learn",
    "gensim",
    "statsmodels",
    "matplotlib",
)


class StudyError(FramingError):
    """The study cannot run on these data (the message says what to change)."""


@dataclass
class StudyRun:
    """What a run produced: the output folder, its manifest and the stages."""

    study: StudyConfig
    output: Path
    manifest: dict[str, Any]
    stages: list[StageResult]
    headline: pd.DataFrame = field(repr=False)

    @property
    def figures(self) -> list[Path]:
        return sorted((self.output / "figures").glob("*"))

    @property
    def tables(self) -> list[Path]:
        return sorted((self.output / "tables").glob("*"))

    def summary(self) -> str:
        """Stages (run or cached), where the outputs are, the headline table."""
        ran = [s.name for s in self.stages if not s.cached]
        lines = [
            f"Study: {self.study.name} ({self.study.path})",
            f"Stages: {len(self.stages)} ({len(ran)} run, "
            f"{len(self.stages) - len(ran)} from cache)",
            f"Figures: {self.output / 'figures'} ({len(self.figures)} files)",
            f"Tables:  {self.output / 'tables'} ({len(self.tables)} files)",
            f"Manifest: {self.output / 'manifest.json'}",
            "",
            f"Share of documents naming the event in the {self.study.stats_voice} "
            f"voice, before and after {self.study.event}:",
            self.headline.to_string(index=False),
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


def _versions() -> dict[str, str]:
    versions = {"framing": __version__, "python": platform.python_version()}
    for name in VERSION_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - all required
            versions[name] = "not installed"
    return versions


class _Runner:
    def __init__(
        self,
        study: StudyConfig,
        *,
        force: bool,
        progress: bool,
        report: Callable[[str], None],
        compute: Compute | None = None,
    ) -> None:
        self.study = study
        self.compute = compute or Compute.from_config(study.compute)
        self.force = force
        self.progress = progress
        self.report = report
        self.cache = StageCache(cache_dir() / "studies" / study.name)
        self.stages: list[StageResult] = []

    # -- plumbing ------------------------------------------------------------

    def stage(
        self, name: str, params: Any, produce: Callable[[Path], dict | None]
    ) -> StageResult:
        self.report(f"{name} ...")
        started = time.perf_counter()
        result = self.cache.run(name, params, produce, force=self.force)
        self.stages.append(result)
        if result.damage:
            self.report(
                f"{name}: cached copy differed from its record "
                f"({'; '.join(result.damage)}); rerun"
            )
        # Console only: wall-clock time never enters an output or the manifest.
        took = time.perf_counter() - started
        self.report(f"{name}: {'cached' if result.cached else f'done in {took:.1f} s'}")
        return result

    @property
    def render_params(self) -> dict[str, Any]:
        study = self.study
        return {
            "figure_formats": list(study.figure_formats),
            "table_formats": list(study.table_formats),
            "digits": study.digits,
            "matplotlib": metadata.version("matplotlib"),
        }

    # -- stages --------------------------------------------------------------

    def corpora(self) -> dict[str, Any]:
        from ..datasets.build import build_corpus
        from ..datasets.cards import find_card

        built = {}
        outlets: dict[str, dict[str, int] | None] = {}
        for name in self.study.corpora:
            self.report(f"corpus:{name} ...")
            # A name, or a card path taken from the study file's folder.
            card = find_card(name, base=self.study.path.parent)
            corpus = build_corpus(card, progress=self.progress, compute=self.compute)
            counts = corpus.manifest.get("counts", {})
            if not counts.get("kept"):
                raise StudyError(
                    f"corpus {name!r} has no documents (read "
                    f"{counts.get('read', 0)}, rejected {counts.get('rejected', 0)}); "
                    f"`framing corpus summary {name}` lists the rejects and their "
                    "reasons. The previous outputs were left as they were."
                )
            outlets[name] = {
                str(k): int(v.get("kept", 0))
                for k, v in sorted(counts.get("by_outlet", {}).items())
            }
            built[name] = corpus
            self.report(f"corpus:{name}: ready")
        # Before any detection: every document placed, no source left empty.
        subset = self.study.subset
        if subset:
            problems = subset_outlet_problems(subset, outlets)
            if problems:
                raise StudyError(f"{self.study.path}: [subset]: " + "; ".join(problems))
        if self.study.sources:
            kept = subset_outlets(outlets, subset) if subset else outlets
            problems = outlet_problems(self.study.sources, kept)
            if problems:
                raise StudyError(
                    f"{self.study.path}: [sources]: " + "; ".join(problems)
                )
        return built

    def detect(self, corpora: dict[str, Any]) -> dict[str, StageResult]:
        from ..frames.lexicon import load_lexicon
        from ..frames.run import detect_corpus
        from ..frames.voice import VoiceRules

        lexicon_source = self._lexicon_source()
        lexicon = load_lexicon(lexicon_source)
        rules = content_key(VoiceRules().__dict__)
        results = {}
        for name, corpus in corpora.items():
            params = {
                "corpus": corpus.manifest.get("outputs", {}),
                "lexicon": lexicon.sha256,
                "voice_rules": rules,
                # Only when set, so the default keeps the stage key it had.
                **(
                    {"fields": list(self.study.fields)}
                    if self.study.fields != ("text",)
                    else {}
                ),
            }

            def produce(staging: Path, corpus: Any = corpus) -> dict:
                detection = detect_corpus(
                    corpus,
                    lexicon=lexicon_source,
                    progress=self.progress,
                    fields=self.study.fields,
                    compute=self.compute,
                )
                for file in ("features.parquet", "mentions.parquet"):
                    shutil.copy2(detection.path / file, staging / file)
                return {"counts": detection.manifest["counts"]}

            results[name] = self.stage(f"detect-{name}", params, produce)
        return results

    def _lexicon_source(self) -> str | Path:
        lexicon = self.study.lexicon
        if lexicon.endswith(".toml"):
            return self.study.path.parent / lexicon
        return lexicon

    def features(
        self, corpora: dict[str, Any], detections: dict[str, StageResult]
    ) -> StageResult:
        from ..stats._common import add_period

        study = self.study
        params: dict[str, Any] = {
            "detections": {k: v.key for k, v in detections.items()},
            "sources": {k: list(v) for k, v in study.sources.items()},
            "event": study.event,
        }
        subset = study.document_subset()
        if subset is not None:
            # Only when set: a study without [subset] keeps its cache keys.
            params["subset"] = study.subset

        def produce(staging: Path) -> dict:
            parts = []
            columns = ["doc_id", "outlet", "published"]
            if subset is not None and subset.filters_dates:
                # Day-only dates compare by calendar day (see framing.subsets).
                columns.append("date_precision")
            for name, corpus in corpora.items():
                features = pd.read_parquet(detections[name].path / "features.parquet")
                meta = corpus.articles(columns=columns)
                if subset is not None:
                    meta = subset.apply(meta)
                    meta = meta.drop(columns=["date_precision"], errors="ignore")
                table = features.merge(
                    meta,
                    on="doc_id",
                    how="left" if subset is None else "inner",
                    validate="one_to_one",
                )
                table.insert(0, "corpus", name)
                parts.append(table)
            data = pd.concat(parts, ignore_index=True)
            if data.empty:
                raise StudyError(
                    f"{study.path}: [subset] {study.subset} leaves no documents; "
                    "widen the window or the outlets"
                )
            # Presence in every voice, not only "own": the analyses may pick any.
            counts = [
                c for c in data.columns if c.startswith("n__") and c.count("__") == 2
            ]
            presence = {
                "has" + c[1:]: data[c] > 0
                for c in counts
                if "has" + c[1:] not in data.columns
            }
            data = pd.concat([data, pd.DataFrame(presence)], axis=1).copy()
            data["source"] = self._sources(data)
            data["day"] = data["published"].dt.strftime("%Y-%m-%d")
            data = add_period(data, study.event)
            data.to_parquet(staging / "features.parquet", index=False)
            per_period = (
                data.groupby(["source", "period"], observed=True)
                .size()
                .rename("documents")
                .reset_index()
            )
            return {
                "documents": int(len(data)),
                "by_source_period": per_period.astype({"period": str}).to_dict(
                    "records"
                ),
            }

        return self.stage("features", params, produce)

    def _sources(self, data: pd.DataFrame) -> pd.Series:
        sources = self.study.sources
        if not sources:
            return data["outlet"].astype(str)
        mapping = {outlet: label for label, outs in sources.items() for outlet in outs}
        unmapped = sorted(set(data["outlet"].astype(str)) - set(mapping))
        if unmapped:
            by_corpus = (
                data[data["outlet"].isin(unmapped)]
                .groupby(["corpus", "outlet"])
                .size()
                .reset_index(name="n")
            )
            listed = ", ".join(
                f"{row['outlet']!r} ({row['corpus']}: {row['n']} documents)"
                for row in by_corpus.to_dict("records")
            )
            raise StudyError(
                f"{self.study.path}: [sources] does not place the outlet(s) "
                f"{listed}; add each to a source so no document is dropped"
            )
        return data["outlet"].astype(str).map(mapping)

    def source_order(self, data: pd.DataFrame) -> list[str]:
        present = set(data["source"])
        order = [s for s in self.study.sources if s in present]
        return order or sorted(present)

    def naming(self, features: StageResult) -> StageResult:
        from ..plots.naming import plot_naming_over_time, plot_voice_composition
        from ..stats.naming import naming_shares, voice_composition

        study = self.study
        params = {
            "features": features.key,
            "frames": list(study.frames),
            "voices": list(study.voices),
            "labels": study.frame_labels,
            "freq": study.freq,
            "min_docs": study.min_docs,
            "ci_level": study.ci_level,
            "events": [e.__dict__ for e in study.events],
            "render": self.render_params,
        }

        def produce(staging: Path) -> dict:
            data = pd.read_parquet(features.path / "features.parquet")
            order = self.source_order(data)
            shares = naming_shares(
                data,
                frames=study.frames,
                voices=study.voices,
                by="source",
                freq=study.freq,
                ci_level=study.ci_level,
            )
            fig = plot_naming_over_time(
                shares,
                groups=order,
                events={e.date: e.label for e in study.events},
                frame_labels=study.frame_labels,
                min_docs=study.min_docs,
            )
            save_study_figure(fig, staging, "naming-over-time", study.figure_formats)
            write_frame_table(
                shares,
                staging,
                "naming-over-time",
                study,
                caption="Share of documents using each name, per period and voice "
                "(Wilson intervals).",
            )
            composition = voice_composition(
                data, frames=study.frames, by="source", ci_level=study.ci_level
            )
            fig = plot_voice_composition(
                composition, groups=order, frame_labels=study.frame_labels
            )
            save_study_figure(fig, staging, "voice-composition", study.figure_formats)
            write_frame_table(
                composition,
                staging,
                "voice-composition",
                study,
                caption="Mentions of each name by voice and source.",
            )
            by_period = self._by_period(data, order)
            write_frame_table(
                by_period,
                staging,
                "naming-by-period",
                study,
                caption=f"Share of documents naming the war in the "
                f"{study.stats_voice} voice, before and after {study.event} "
                f"({int(round(study.ci_level * 100))}% Wilson intervals).",
                label="tab:naming-by-period",
            )
            return {
                "headline": by_period.to_dict("records"),
                "macros": naming_macros(by_period, len(data), study),
            }

        return self.stage("naming", params, produce)

    def _by_period(self, data: pd.DataFrame, order: list[str]) -> pd.DataFrame:
        from ..evaluation import wilson_interval
        from ..frames.detect import feature_column

        study = self.study
        rows = []
        for source in order:
            for period in ("before", "after"):
                part = data[(data["source"] == source) & (data["period"] == period)]
                n = len(part)
                for frame in study.frames:
                    column = feature_column("has", frame, study.stats_voice)
                    k = int(part[column].sum()) if n else 0
                    low, high = (
                        wilson_interval(k, n, ci=study.ci_level) if n else (np.nan,) * 2
                    )
                    rows.append(
                        {
                            "source": source,
                            "period": period,
                            "frame": study.frame_labels.get(frame, frame),
                            "documents": n,
                            "naming": k,
                            "share": k / n if n else np.nan,
                            "ci_low": low,
                            "ci_high": high,
                        }
                    )
        return pd.DataFrame(rows)

    def _model_params(self, features: StageResult, frames: tuple[str, ...]) -> dict:
        """What a statistical stage's results depend on (its cache key)."""
        study = self.study
        return {
            "features": features.key,
            "frames": list(frames),
            "voice": study.stats_voice,
            "p_adjust": study.p_adjust,
            "ci_level": study.ci_level,
            "labels": study.frame_labels,
            "render": self.render_params,
        }

    def presence(self, features: StageResult) -> StageResult:
        from ..frames.detect import feature_column
        from ..plots.stats import plot_forest
        from ..stats.presence import fit_presence
        from ..stats.results import StatsResult, adjust_pvalues

        study = self.study
        params = self._model_params(features, study.presence)

        def produce(staging: Path) -> dict:
            data = pd.read_parquet(features.path / "features.parquet")
            order = self.source_order(data)
            periods = data.groupby("source")["period"].nunique()
            both = [s for s in order if periods.get(s, 0) == 2]
            left_out = [s for s in order if s not in both]
            data = data[data["source"].isin(both)].copy()
            data["source"] = pd.Categorical(data["source"], categories=both)
            data["period"] = pd.Categorical(
                data["period"], categories=["before", "after"]
            )
            contrasts, predicted, notes = [], [], []
            for frame in study.presence:
                label = study.frame_labels.get(frame, frame)
                column = feature_column("has", frame, study.stats_voice)
                if data[column].sum() == 0:
                    notes.append(f"{label}: never used; no model fitted.")
                    continue
                fitted = fit_presence(
                    data,
                    column,
                    outlet="source",
                    period="period",
                    cluster=["source", "day"],
                    ci_level=study.ci_level,
                    p_adjust="none",
                )
                notes += [f"{label}: {n}" for n in fitted.notes]
                if "contrasts" in fitted.results:
                    table = fitted["contrasts"].table.assign(frame=label)
                    contrasts.append(table)
                    notes += [f"{label}: {n}" for n in fitted["contrasts"].notes]
                predicted.append(fitted["predicted"].table.assign(frame=label))
            if left_out:
                notes.append(
                    f"Left out (no documents before or after {study.event}): "
                    + ", ".join(left_out)
                )
            if not contrasts:
                raise StudyError(
                    f"{study.path}: [statistics] presence: no frame has a "
                    "before/after contrast to estimate"
                )
            table = pd.concat(contrasts, ignore_index=True)
            # Every contrast is after minus before: the row needs only the source.
            terms = (
                table["term"]
                .astype(str)
                .str.replace(r":\s*after - before$", "", regex=True)
            )
            table["term"] = table["frame"] + " | " + terms
            table["p_adj"] = adjust_pvalues(table["p"], study.p_adjust)
            result = StatsResult(
                table=table,
                model="logit of own-voice naming on source x period, "
                "cluster-robust by source-day",
                family=f"all {len(table)} before/after contrasts",
                p_adjust=study.p_adjust,
                estimate_scale="change in probability, after - before",
                ci_level=study.ci_level,
                notes=notes,
            )
            fig = plot_forest(result)
            save_study_figure(fig, staging, "presence-contrasts", study.figure_formats)
            write_result_table(
                result,
                staging,
                "presence-contrasts",
                study,
                caption=f"Change in the probability that a document names the war "
                f"in the {study.stats_voice} voice, after minus before "
                f"{study.event}.",
                label="tab:presence-contrasts",
            )
            write_frame_table(
                pd.concat(predicted, ignore_index=True),
                staging,
                "presence-predicted",
                study,
                caption="Predicted probability of naming, by source and period.",
            )
            return {
                "notes": notes,
                "macros": estimate_macros(
                    table, "presence", ["frame", "source"], study.digits
                ),
            }

        return self.stage("presence", params, produce)

    def rates(self, features: StageResult) -> StageResult:
        from ..frames.detect import feature_column
        from ..plots.stats import plot_forest
        from ..stats.rates import compare_rates
        from ..stats.results import StatsResult, adjust_pvalues

        study = self.study
        params = self._model_params(features, study.rates)

        def produce(staging: Path) -> dict:
            data = pd.read_parquet(features.path / "features.parquet")
            order = self.source_order(data)
            after = data[data["period"] == "after"]
            reference = next(s for s in order if s in set(after["source"]))
            tables, notes = [], []
            for frame in study.rates:
                label = study.frame_labels.get(frame, frame)
                column = feature_column("n", frame, study.stats_voice)
                if after[column].sum() == 0:
                    notes.append(f"{label}: no mentions after {study.event}.")
                    continue
                result = compare_rates(
                    after,
                    column,
                    by="source",
                    reference=reference,
                    cluster=["source", "day"],
                    families=("negbin",),
                    ci_level=study.ci_level,
                    p_adjust="none",
                )
                tables.append(result.table.assign(frame=label))
                notes += [f"{label}: {n}" for n in result.notes]
            if not tables:
                raise StudyError(
                    f"{study.path}: [statistics] rates: nothing to compare"
                )
            table = pd.concat(tables, ignore_index=True)
            table["term"] = table["frame"] + " | " + table["term"].astype(str)
            table["p_adj"] = adjust_pvalues(table["p"], study.p_adjust)
            result = StatsResult(
                table=table,
                model=f"{study.stats_voice}-voice mentions per word after "
                f"{study.event}, relative to {reference}",
                family=f"all {len(table)} rate ratios",
                p_adjust=study.p_adjust,
                estimate_scale="rate ratio",
                ci_level=study.ci_level,
                notes=notes,
            )
            fig = plot_forest(result)
            save_study_figure(fig, staging, "rate-ratios", study.figure_formats)
            write_result_table(
                result,
                staging,
                "rate-ratios",
                study,
                caption=f"Rate ratios of {study.stats_voice}-voice naming per word "
                f"after {study.event}, each source against {reference}.",
                label="tab:rate-ratios",
            )
            document_level = table[table["method"].str.startswith("negbin")].assign(
                source=lambda t: t["comparison"].str.split(" / ").str[0]
            )
            return {
                "reference": reference,
                "notes": notes,
                "macros": estimate_macros(
                    document_level, "rateRatio", ["frame", "source"], study.digits
                ),
            }

        return self.stage("rates", params, produce)

    def its(self, features: StageResult) -> list[StageResult]:
        from ..frames.detect import feature_column
        from ..plots.stats import plot_its
        from ..stats.timeseries import fit_its, time_series
        from ..subsets import Subset

        study = self.study
        results = []
        designs = [
            (spec, event)
            for spec in study.its
            for event in ((spec.event,) if spec.event else study.its_events)
        ]
        for spec, event in designs:
            params = {
                "features": features.key,
                "spec": spec.settings(),
                "p_adjust": study.p_adjust,
                "ci_level": study.ci_level,
                "event": event,
                "render": self.render_params,
            }
            name = f"its-{slug(spec.source)}-{spec.frame}-{spec.voice}"
            # Several events or windows: one stage, figure, table and set of
            # macros each; the names of a single-event study stay as they were.
            design = []
            if spec.event or len(study.its_events) > 1:
                design.append(event)
            if spec.start:
                design.append(f"from {spec.start}")
            if spec.end:
                design.append(f"to {spec.end}")
            if design:
                name = f"{name}-{slug(' '.join(design))}"

            def produce(
                staging: Path,
                spec: Any = spec,
                name: str = name,
                event: str = event,
                design: list[str] = design,
            ) -> dict:
                data = pd.read_parquet(features.path / "features.parquet")
                part = data[data["source"] == spec.source]
                if spec.start or spec.end:
                    part = Subset(start=spec.start, end=spec.end).apply(part)
                if part.empty:
                    raise StudyError(
                        f"{study.path}: [[statistics.its]] source {spec.source!r} "
                        "has no documents"
                        + (
                            f" in [{spec.start}, {spec.end})"
                            if spec.start or spec.end
                            else ""
                        )
                    )
                series = time_series(
                    part,
                    count=feature_column("n", spec.frame, spec.voice),
                    by=None,
                    freq=spec.freq,
                )
                fitted = fit_its(
                    series,
                    event=event,
                    errors=spec.errors,
                    estimation=spec.estimation,
                    weights="words" if spec.errors == "hac" else None,
                    ci_level=study.ci_level,
                    p_adjust=study.p_adjust,
                )
                label = study.frame_labels.get(spec.frame, spec.frame)
                fig = plot_its(
                    fitted, ylabel=f"{label} ({spec.voice})\nper 1,000 words"
                )
                save_study_figure(fig, staging, name, study.figure_formats)
                write_result_table(
                    fitted["its"],
                    staging,
                    name,
                    study,
                    caption=f"Interrupted time series: {spec.source}, "
                    f"{label} ({spec.voice} voice) per 1,000 words"
                    + (f", event {event}" if design else "")
                    + (
                        f", window [{spec.start or 'first'}, {spec.end or 'last'})"
                        if spec.start or spec.end
                        else ""
                    )
                    # The estimator, without the standard-error formula.
                    + f"; {fitted['its'].model.split(', SEs:')[0]}.",
                    label=f"tab:{name}",
                )
                table = fitted["its"].table.assign(
                    source=spec.source, frame=label, design=" ".join(design)
                )
                labels = ["source", "frame", "term"]
                if design:
                    labels.insert(2, "design")
                return {"macros": estimate_macros(table, "its", labels, study.digits)}

            results.append(self.stage(name, params, produce))
        return results

    def fightin_words(
        self, corpora: dict[str, Any], features: StageResult
    ) -> StageResult | None:
        from ..plots.stats import plot_fightin_words
        from ..stats.vocab import fightin_words

        study = self.study
        if not study.fightin_words:
            return None
        params = {
            "features": features.key,
            "settings": study.fightin_words,
            "p_adjust": study.p_adjust,
            "ci_level": study.ci_level,
            "render": self.render_params,
        }

        def produce(staging: Path) -> dict:
            data = pd.read_parquet(
                features.path / "features.parquet", columns=["doc_id", "source"]
            )
            texts = pd.concat(
                [c.articles(columns=["doc_id", "text"]) for c in corpora.values()],
                ignore_index=True,
            )
            docs = data.merge(texts, on="doc_id", how="left", validate="one_to_one")
            settings = study.fightin_words
            vectorizer = (
                {"stop_words": settings["stop_words"]} if settings["stop_words"] else {}
            )
            result = fightin_words(
                docs,
                group="source",
                min_count=settings["min_count"],
                prior_scale=float(settings["prior_scale"]),
                ci_level=study.ci_level,
                p_adjust=study.p_adjust,
                **vectorizer,
            )
            order = self.source_order(data)
            import matplotlib.pyplot as plt

            from ..plots.style import DOUBLE_COLUMN, journal_style

            with journal_style():
                fig, axes = plt.subplots(
                    1,
                    len(order),
                    figsize=(DOUBLE_COLUMN, 2.6),
                    layout="constrained",
                    squeeze=False,
                )
                for axis, source in zip(axes[0], order, strict=True):
                    plot_fightin_words(
                        result, ax=axis, group=source, top=settings["top"]
                    )
                    axis.set_title(f"{source} vs the rest")
                    axis.set_ylabel(
                        "z (+ typical of the source)" if axis is axes[0][0] else ""
                    )
            save_study_figure(fig, staging, "fightin-words", study.figure_formats)
            top = (
                result.table.sort_values(["group", "z"], ascending=[True, False])
                .groupby("group", sort=False)
                .head(settings["top"])
            )
            write_frame_table(
                top,
                staging,
                "fightin-words",
                study,
                caption="Words most distinctive of each source (Fightin' Words "
                "z-scores, informative Dirichlet prior).",
            )
            return {}

        return self.stage("fightin-words", params, produce)

    def topics(self, corpora: dict[str, Any], features: StageResult) -> list:
        study = self.study
        settings = study.topics
        if not settings.get("enabled"):
            return []
        corpus = corpora[settings["corpus"]]
        model_params = {
            "k": settings["k"],
            "passes": settings["passes"],
            "no_below": settings["no_below"],
            "no_above": settings["no_above"],
            "random_state": study.seed,
        }
        if settings.get("phrase_max_vocab") is not None:
            model_params["phrase_max_vocab"] = settings["phrase_max_vocab"]
        # Only when set, so that a study without a sample keeps its stage keys.
        if settings.get("sample_size") is not None:
            model_params["sample_size"] = settings["sample_size"]
            model_params["sample_by"] = list(settings["sample_by"])
        base = {"corpus": corpus.manifest.get("outputs", {}), "model": model_params}
        results = []
        if settings["k_grid"]:
            results.append(self._topics_k(corpus, base, model_params))
        fit = self._topics_fit(corpus, base, model_params)
        results.append(fit)
        results.append(self._topics_report(corpus, fit, features))
        return results

    def _topics_k(self, corpus: Any, base: dict, model_params: dict) -> StageResult:
        from ..frames.topics import select_k
        from ..plots.topics import plot_k_selection

        study = self.study
        settings = study.topics
        params = {
            **base,
            "grid": settings["k_grid"],
            "seeds": settings["seeds"],
            "render": self.render_params,
        }

        def produce(staging: Path) -> dict:
            grid_params = {k: v for k, v in model_params.items() if k not in ("k",)}
            grid_params.pop("random_state")
            grid = select_k(
                corpus,
                settings["k_grid"],
                seeds=settings["seeds"],
                progress=self.progress,
                compute=self.compute,
                **grid_params,
            )
            fig = plot_k_selection(grid)
            save_study_figure(fig, staging, "topics-k-selection", study.figure_formats)
            write_frame_table(
                grid.summary,
                staging,
                "topics-k-selection",
                study,
                caption="Coherence and stability across K (mean over seeds).",
            )
            return {"best_k_c_v": int(grid.best_k("c_v"))}

        return self.stage("topics-k", params, produce)

    def _topics_fit(self, corpus: Any, base: dict, model_params: dict) -> StageResult:
        from ..frames.topics import TopicModel, save_model

        def produce(staging: Path) -> dict:
            model = TopicModel(**model_params, progress=self.progress).fit(
                corpus, compute=self.compute
            )
            digest = save_model(model, staging / "model")
            shares = model.document_topics()
            shares.to_parquet(staging / "document-topics.parquet", index=False)
            if model.sample_ is None:
                return {"model_manifest_sha256": digest}
            return {"model_manifest_sha256": digest, "sample": model.sample_}

        return self.stage("topics-fit", base, produce)

    def _topics_report(
        self, corpus: Any, fit: StageResult, features: StageResult
    ) -> StageResult:
        from ..frames.topics import (
            load_model,
            top_word_table,
            topic_labels,
            topic_prevalence,
        )
        from ..plots.topics import plot_top_words, plot_topic_prevalence

        study = self.study
        settings = study.topics
        params = {
            "fit": fit.key,
            "features": features.key,
            "top_words": settings["top_words"],
            "render": self.render_params,
        }

        def produce(staging: Path) -> dict:
            model = load_model(
                fit.path / "model",
                expected_manifest_sha256=fit.summary["model_manifest_sha256"],
            )
            labels = topic_labels(model, n=max(10, settings["top_words"]))
            words = top_word_table(
                model.topic_word_,
                [model.dictionary_[i] for i in range(len(model.dictionary_))],
                n=settings["top_words"],
                topic_names=model.topic_names_,
            )
            fig = plot_top_words(words, kind="frex", n=settings["top_words"])
            save_study_figure(fig, staging, "topics-frex", study.figure_formats)
            write_frame_table(
                labels,
                staging,
                "topics-labels",
                study,
                caption="Topics: prevalence, most probable and FREX words.",
            )
            shares = pd.read_parquet(fit.path / "document-topics.parquet")
            meta = pd.read_parquet(
                features.path / "features.parquet",
                columns=["doc_id", "source", "published"],
            )
            names = {
                f"topic_{int(row['topic']):02d}": ", ".join(
                    w.replace("_", " ") for w in str(row["frex_words"]).split()[:3]
                )
                for row in labels.to_dict("records")
            }
            by_source = topic_prevalence(shares, meta, by=("source",))
            fig = plot_topic_prevalence(
                by_source.rename(columns={"source": "outlet"}), names=names
            )
            save_study_figure(fig, staging, "topics-by-source", study.figure_formats)
            write_frame_table(
                by_source,
                staging,
                "topics-by-source",
                study,
                caption="Mean topic share by source (standard errors).",
            )
            over_time = topic_prevalence(shares, meta, by=(), period="M")
            fig = plot_topic_prevalence(over_time, names=names)
            ax = fig.axes[0]
            for event in study.events:
                # the period axis is categorical ("2022-02"): mark the event month
                months = list(dict.fromkeys(over_time["period"]))
                month = event.date[:7]
                if month in months:
                    ax.axvline(months.index(month), color="0.3", lw=0.7, ls=":")
            save_study_figure(fig, staging, "topics-over-time", study.figure_formats)
            write_frame_table(
                over_time,
                staging,
                "topics-over-time",
                study,
                caption="Mean topic share by month (standard errors).",
            )
            return {}

        return self.stage("topics-report", params, produce)

    def classifier(
        self, corpora: dict[str, Any], detections: dict[str, StageResult]
    ) -> StageResult | None:
        """Can masked text predict how a document names the war?

        Weak labels: each document's dominant own-voice naming, grouped into
        the configured positive and negative frames; every lexicon term is
        masked inside the model, so it must learn from the rest of the text.
        Validated stratified, leaving one source out, and on a time split.
        """
        study = self.study
        settings = study.classifier
        if not settings.get("enabled"):
            return None
        params = {
            "detections": {k: v.key for k, v in detections.items()},
            "sources": {k: list(v) for k, v in study.sources.items()},
            # how many processes fit it does not change the result
            "settings": {k: v for k, v in settings.items() if k != "jobs"},
            "lexicon": study.lexicon,
            "seed": study.seed,
            "ci_level": study.ci_level,
            "render": self.render_params,
        }

        def produce(staging: Path) -> dict:
            from ..frames.classify import (
                FrameClassifier,
                compare,
                naming_labels,
                validate,
            )
            from ..plots.classify import plot_confusion, plot_reliability

            positive, negative = "war or invasion", "special operation"
            groups = {f: positive for f in settings["positive"]}
            groups |= {f: negative for f in settings["negative"]}
            parts = []
            for corpus in corpora.values():
                labels = naming_labels(
                    corpus, lexicon=self._lexicon_source(), groups=groups
                )
                texts = corpus.articles(columns=["doc_id", "text"])
                table = labels.merge(texts, on="doc_id", validate="one_to_one")
                table.insert(0, "corpus", corpus.name)
                parts.append(table)
            docs = pd.concat(parts, ignore_index=True)
            docs["source"] = self._sources(docs)
            counts = pd.crosstab(docs["source"], docs["label"])
            counts = counts.reindex(self.source_order(docs)).fillna(0).astype(int)
            write_frame_table(
                counts.reset_index(),
                staging,
                "classifier-labels",
                study,
                caption="Documents by source and weak (lexicon-derived) label.",
            )
            estimator = FrameClassifier(
                model=settings["model"],
                word_ngrams=(1, 2),
                char_ngrams=None,
                min_df=settings["min_df"],
                mask=str(self._lexicon_source()),
            )
            grid = {"C": settings["c_grid"]}
            event = pd.Timestamp(study.event, tz="UTC")
            # Train earlier, test later: only sources with documents on both sides.
            with_before = sorted(set(docs.loc[docs["published"] < event, "source"]))
            schemes: list[tuple[str, pd.DataFrame, dict[str, Any]]] = [
                (
                    "stratified",
                    docs,
                    {"n_splits": settings["folds"], "n_repeats": settings["repeats"]},
                ),
                (
                    "group",
                    docs,
                    {"n_splits": docs["source"].nunique(), "group_column": "source"},
                ),
                ("time", docs[docs["source"].isin(with_before)], {"n_splits": 2}),
            ]
            results = []
            for scheme, data, kwargs in schemes:
                data = data.reset_index(drop=True)
                results.append(
                    validate(
                        estimator,
                        data,
                        data["label"].tolist(),
                        scheme=scheme,
                        param_grid=grid,
                        ci=study.ci_level,
                        seed=study.seed,
                        n_jobs=settings["jobs"],
                        **kwargs,
                    )
                )
            table = compare(results, digits=study.digits)
            write_frame_table(
                table,
                staging,
                "classifier-validation",
                study,
                caption="Masked-text naming classifier: stratified cross-validation, "
                "leave-one-source-out, and a time split (train earlier, test later).",
                label="tab:classifier-validation",
                latex_columns=[
                    "scheme",
                    "folds",
                    "accuracy_ci",
                    "macro_f1_ci",
                    "brier_ci",
                ],
            )
            fig = plot_confusion(results[1])
            save_study_figure(
                fig, staging, "classifier-confusion-by-source", study.figure_formats
            )
            fig = plot_reliability(results[0])
            save_study_figure(
                fig, staging, "classifier-reliability", study.figure_formats
            )
            macros = {}
            for result in results:
                for metric in ("accuracy", "macro_f1"):
                    overall = result.overall(metric)
                    base = latex_macro_name("classifier", result.scheme, metric)
                    for suffix, key in (
                        ("", "estimate"),
                        ("Low", "ci_low"),
                        ("High", "ci_high"),
                    ):
                        value = float(overall[key])
                        macros[base + suffix] = (
                            f"{value:.{study.digits}f}" if np.isfinite(value) else "n/a"
                        )
            for source, row in counts.iterrows():
                for label, n in row.items():
                    macros[latex_macro_name("labels", str(source), str(label))] = str(n)
            return {"macros": macros}

        return self.stage("classifier", params, produce)

    def validation(
        self,
        corpora: dict[str, Any],
        detections: dict[str, StageResult],
        features: StageResult,
    ) -> StageResult | None:
        """The detector's error on the study's own gold, and corrected shares.

        Scores the detections of every corpus against the ``[validation]``
        gold (referent precision and recall, miss rate, voice accuracy per
        frame, with intervals) and, with ``correct = true``, corrects each
        source's naming shares before and after the event for that error
        (:func:`framing.stats.prevalence.corrected_naming_shares`).
        """
        from ..evaluation import wilson_interval
        from ..frames.validation import (
            METRICS,
            GoldError,
            read_gold,
            select_gold,
            validate_mentions,
        )
        from ..stats.prevalence import corrected_naming_shares

        study = self.study
        settings = study.validation
        if not settings.get("enabled"):
            return None
        folder = study.path.parent
        names = settings["gold"]
        gold_paths = [
            folder / g for g in ([names] if isinstance(names, str) else names)
        ]
        key_files = [
            folder / k if k else None
            for k in validation_keys(settings, len(gold_paths))
        ]
        params = {
            "detections": {k: v.key for k, v in detections.items()},
            "features": features.key,
            "gold": [file_sha256(g) for g in gold_paths],
            "key": [file_sha256(k) if k else None for k in key_files],
            "settings": {k: v for k, v in settings.items() if k not in ("gold", "key")},
            "frames": list(study.frames),
            "voice": study.stats_voice,
            "labels": study.frame_labels,
            "seed": study.seed,
            "ci_level": study.ci_level,
            "render": self.render_params,
        }

        def produce(staging: Path) -> dict:
            gold = pd.concat(
                [
                    read_gold(g, key=k)
                    for g, k in zip(gold_paths, key_files, strict=True)
                ],
                ignore_index=True,
            )
            gold_path = ", ".join(str(g) for g in gold_paths)
            rows, mentions = [], []
            for name, corpus in corpora.items():
                meta = corpus.articles(columns=["doc_id", "outlet"])
                try:
                    part = select_gold(
                        gold,
                        meta,
                        corpus=corpus.name,
                        split=settings["split"],
                        where=str(gold_path),
                    )
                except GoldError as exc:
                    if "has no rows" in str(exc):
                        continue
                    raise
                rows.append(part)
                detected = pd.read_parquet(detections[name].path / "mentions.parquet")
                wanted = set(part["doc_id"].astype(str))
                mentions.append(detected[detected["doc_id"].isin(wanted)])
            if not rows:
                raise StudyError(
                    f"{study.path}: [validation] gold {gold_path} has no rows "
                    f"(split {settings['split']!r}) for the corpora "
                    + ", ".join(study.corpora)
                )
            result = validate_mentions(
                pd.concat(mentions, ignore_index=True),
                pd.concat(rows, ignore_index=True),
                n_boot=settings["n_boot"],
                seed=study.seed,
                ci=study.ci_level,
                min_gold=settings["min_gold"],
            )
            by_frame = pd.concat(
                [
                    result.table("frame"),
                    result.table("all").rename(columns={"all": "frame"}),
                ],
                ignore_index=True,
            )
            by_frame["frame"] = [
                "all" if f == "all" else study.frame_labels.get(str(f), str(f))
                for f in by_frame["frame"]
            ]
            cells = pd.concat(
                [
                    result.table("frame", cells=True),
                    result.table("all", cells=True).rename(columns={"all": "frame"}),
                ],
                ignore_index=True,
            )
            printed = by_frame.copy()
            for metric in METRICS:
                printed[f"{metric}_ci"] = cells[metric].str.replace(
                    r" n=\d+$", "", regex=True
                )
            level = int(round(study.ci_level * 100))
            write_frame_table(
                printed,
                staging,
                "validation",
                study,
                caption=f"The naming detector against the study's gold "
                f"({'weighted' if result.weighted else 'Wilson'} {level}% "
                "intervals): referent precision and recall, miss rate and voice "
                "accuracy per frame.",
                label="tab:validation",
                latex_columns=[
                    "frame",
                    *(f"{m}_ci" for m in METRICS),
                    "gold",
                ],
            )
            write_frame_table(
                result.table("outlet"),
                staging,
                "validation-by-outlet",
                study,
                caption="The naming detector against the gold, per outlet.",
            )
            macros: dict[str, str] = {}
            for record in by_frame.to_dict("records"):
                for metric in METRICS:
                    base = latex_macro_name("validation", str(record["frame"]), metric)
                    for suffix, column in (
                        ("", metric),
                        ("Low", f"{metric}_low"),
                        ("High", f"{metric}_high"),
                    ):
                        value = float(record.get(column, np.nan))
                        macros[base + suffix] = (
                            f"{value:.{study.digits}f}" if np.isfinite(value) else "n/a"
                        )
                macros[latex_macro_name("validation", str(record["frame"]), "gold")] = (
                    str(int(record["gold"]))
                )
            summary: dict[str, Any] = {"notes": list(result.notes)}
            if settings["correct"]:
                data = pd.read_parquet(features.path / "features.parquet")
                rates = result.detection_rates(voice=study.stats_voice)
                corrected = corrected_naming_shares(
                    data,
                    rates,
                    frames=study.frames,
                    voice=study.stats_voice,
                    by="source",
                    period="period",
                    n_boot=settings["n_boot"],
                    seed=study.seed,
                    ci=study.ci_level,
                    min_gold=settings["min_gold"],
                )
                order = self.source_order(data)
                table = corrected.table
                table = table.assign(
                    source=pd.Categorical(table["group"], categories=order),
                    period=pd.Categorical(
                        table["period"], categories=["before", "after"]
                    ),
                ).sort_values(["source", "period", "term"], kind="stable")
                raw_low, raw_high = [], []
                for k, n in zip(table["n_present"], table["n"], strict=True):
                    low, high = wilson_interval(int(k), int(n), ci=study.ci_level)
                    raw_low.append(low)
                    raw_high.append(high)
                shares = pd.DataFrame(
                    {
                        "source": table["source"].astype(str),
                        "period": table["period"].astype(str),
                        "frame": [study.frame_labels.get(f, f) for f in table["term"]],
                        "documents": table["n"].astype(int),
                        "naming": table["n_present"].astype(int),
                        "share": table["naive"],
                        "share_low": raw_low,
                        "share_high": raw_high,
                        "corrected": table["estimate"],
                        "corrected_low": table["ci_low"],
                        "corrected_high": table["ci_high"],
                        "sensitivity": table["sensitivity"],
                        "specificity": table["specificity"],
                        # Why a share was left uncorrected, beside the gap.
                        "note": [
                            ""
                            if np.isfinite(value)
                            else "; ".join(
                                n.split(": ", 1)[1]
                                for n in corrected.notes
                                if n.startswith(f"{frame}: ")
                            )
                            for frame, value in zip(
                                table["term"], table["estimate"], strict=True
                            )
                        ],
                    }
                )
                write_frame_table(
                    shares,
                    staging,
                    "naming-corrected",
                    study,
                    caption=f"Share of documents naming the war in the "
                    f"{study.stats_voice} voice, as detected (Wilson intervals) and "
                    "corrected for the detector's measured error (Rogan-Gladen; "
                    f"{level}% intervals include the error rates' uncertainty). "
                    "Blank: not corrected (too little gold for the frame, or not "
                    "identifiable; the CSV's note column says which).",
                    label="tab:naming-corrected",
                    latex_columns=[
                        "source",
                        "period",
                        "frame",
                        "documents",
                        "share",
                        "corrected",
                        "corrected_low",
                        "corrected_high",
                    ],
                )
                for record in shares.to_dict("records"):
                    base = latex_macro_name(
                        "corrected", record["source"], record["frame"], record["period"]
                    )
                    for suffix, column in (
                        ("", "corrected"),
                        ("Low", "corrected_low"),
                        ("High", "corrected_high"),
                    ):
                        value = float(record[column])
                        macros[base + suffix] = (
                            f"{value:.{study.digits}f}" if np.isfinite(value) else "n/a"
                        )
                summary["notes"] += list(corrected.notes)
            summary["macros"] = macros
            return summary

        return self.stage("validation", params, produce)

    # -- assembly ------------------------------------------------------------

    def assemble(self, corpora: dict[str, Any], naming: StageResult) -> StudyRun:
        study = self.study
        outputs: dict[str, str] = {}
        # Checked again here: the folder may have changed during the run.
        _check_output(study)
        with atomic_directory(study.output) as staging:
            (staging / OUTPUT_MARKER).write_text(
                marker_content(study.name), encoding="utf-8"
            )
            for stage in self.stages:
                for kind in ("figures", "tables"):
                    folder = stage.path / kind
                    if not folder.is_dir():
                        continue
                    for source in sorted(folder.iterdir()):
                        relative = f"{kind}/{source.name}"
                        if relative in outputs:
                            raise StudyError(
                                f"two stages write {relative}; rename one output"
                            )
                        target = staging / relative
                        target.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(source, target)
                        outputs[relative] = file_sha256(target)
            macros: dict[str, str] = {}
            for stage in self.stages:
                for name, value in stage.summary.get("macros", {}).items():
                    if name in macros:
                        raise StudyError(f"two results share the LaTeX macro \\{name}")
                    macros[name] = value
            write_macros(macros, staging / "tables" / "macros.tex", study.name)
            outputs["tables/macros.tex"] = file_sha256(
                staging / "tables" / "macros.tex"
            )
            outputs = dict(sorted(outputs.items()))
            manifest = {
                "format": "framing-study/1",
                "study": {
                    "name": study.name,
                    "title": study.title,
                    "file": study.path.name,
                    "sha256": file_sha256(study.path),
                },
                "seed": study.seed,
                "settings": {
                    k: v for k, v in study.as_dict().items() if k not in ("output",)
                },
                "inputs": [
                    {"corpus": name, **entry}
                    for name, corpus in corpora.items()
                    for entry in corpus.manifest.get("inputs", [])
                ],
                "corpora": {
                    name: {
                        "build_key": corpus.manifest.get("build_key"),
                        "counts": corpus.manifest.get("counts"),
                        "outputs": corpus.manifest.get("outputs"),
                        "card": corpus.manifest.get("card"),
                    }
                    for name, corpus in corpora.items()
                },
                "versions": _versions(),
                # The lock's sha256 and every dependency's version, for
                # `framing run --check-environment` before a rerun.
                "environment": environment_record(),
                "stages": [
                    {
                        "name": s.name,
                        "key": s.key,
                        "params": s.record.get("params"),
                        # A topic model trained on a sample states it here.
                        **(
                            {"sample": s.summary["sample"]}
                            if "sample" in s.summary
                            else {}
                        ),
                    }
                    for s in self.stages
                ],
                "outputs": outputs,
            }
            write_json_atomic(staging / "manifest.json", manifest)
        headline = _headline(pd.DataFrame(naming.summary["headline"]), study)
        return StudyRun(
            study=study,
            output=study.output,
            manifest=manifest,
            stages=list(self.stages),
            headline=headline,
        )


def _headline(by_period: pd.DataFrame, study: StudyConfig) -> pd.DataFrame:
    """Sources x periods, one column per frame: the share naming it."""
    table = by_period.assign(
        cell=[
            "n/a" if pd.isna(s) else f"{s:.3f}" for s in by_period["share"].to_numpy()
        ]
    )
    wide = table.pivot_table(
        index=["source", "period", "documents"],
        columns="frame",
        values="cell",
        aggfunc="first",
        sort=False,
    ).reset_index()
    wide.columns.name = None
    frames = [study.frame_labels.get(f, f) for f in study.frames]
    return wide[["source", "period", "documents", *frames]]


def _check_output(study: StudyConfig) -> None:
    problems = output_problems(
        study.output, study_file=study.path, study_name=study.name
    )
    if problems:
        raise StudyError(
            f"{study.path}: [study] output: {'; '.join(problems)} "
            "(nothing was written or replaced)"
        )


def run_study(
    study: StudyConfig | str | Path,
    *,
    force: bool = False,
    progress: bool = False,
    report: Callable[[str], None] | None = None,
    compute: Compute | None = None,
) -> StudyRun:
    """Run every stage of a study and write its output folder.

    Parameters
    ----------
    study : StudyConfig, str or Path
        A study file (validated before any work) or a loaded config.
    force : bool
        Rerun every stage even when its cached result is current.
    progress : bool
        Show progress bars of the long stages.
    report : callable, optional
        Receives one line per stage event (``"naming: cached"``).
    compute : framing.compute.Compute, optional
        Where corpus builds and detection run; default: the study's ``[compute]``
        (serial without one). Outputs are the same whichever setting ran.

    Returns
    -------
    StudyRun
        Output folder, manifest, stages and the headline table.
    """
    config = study if isinstance(study, StudyConfig) else load_study(study)
    _check_output(config)
    runner = _Runner(
        config,
        force=force,
        progress=progress,
        report=report or (lambda _: None),
        compute=compute,
    )
    # One set of workers for every stage (a local Dask cluster per stage
    # took seconds to start each time).
    with kept_workers(runner.compute):
        corpora = runner.corpora()
        detections = runner.detect(corpora)
        features = runner.features(corpora, detections)
        naming = runner.naming(features)
        if config.presence:
            runner.presence(features)
        if config.rates:
            runner.rates(features)
        runner.its(features)
        runner.fightin_words(corpora, features)
        runner.topics(corpora, features)
        runner.classifier(corpora, detections)
        runner.validation(corpora, detections, features)
    return runner.assemble(corpora, naming)
