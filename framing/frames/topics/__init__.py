"""Topic models with gensim: streaming, reproducible, guided, over outlets and time.

* :class:`TopicModel` -- LDA as a scikit-learn style estimator over a
  cached, streamed bag-of-words (:func:`prepare_corpus`); fixed seeds by
  default, guided topics from seed words or a frame lexicon.
* :func:`select_k` -- coherence (c_v, c_npmi, u_mass) and stability over a
  grid of K and seeds.
* :func:`topic_labels`, :func:`top_word_table`, :func:`frex_scores`,
  :func:`representative_documents` -- labelling topics.
* :func:`topic_prevalence` (per period and outlet, from the static model)
  and :func:`dynamic_topics` (gensim LdaSeqModel, size-guarded).
* :func:`stratified_sample`, :func:`allocate` -- the seeded stratified
  sample a model may be trained on (``TopicModel(sample_size=...)``).
* :func:`frame_packages` -- frames as communities of topics (ANTMN).
* :func:`save_model` / :func:`load_model` -- pickle-free persistence
  checked by sha256.
* :func:`sample_lda_corpus` -- seeded synthetic corpora from a known LDA.
"""

from .antmn import frame_packages, topic_communities, topic_network
from .dynamics import (
    MAX_LDASEQ_DOCUMENTS,
    MAX_LDASEQ_TERMS,
    DynamicTopics,
    dynamic_topics,
    topic_prevalence,
)
from .labels import frex_scores, representative_documents, top_word_table, topic_labels
from .model import (
    NotReproducibleWarning,
    TopicModel,
    lexicon_seed_words,
    seed_eta,
    topic_columns,
    topic_word_hash,
)
from .persist import ModelFileError, load_model, save_model
from .sample import SAMPLE_FIELDS, allocate, stratified_sample
from .select import COHERENCE_MEASURES, KSelection, coherence, select_k, topic_stability
from .synthetic import SyntheticLDA, best_match_similarity, sample_lda_corpus
from .tokens import (
    BowCorpus,
    PreparedCorpus,
    TokenizerParams,
    TokenStream,
    prepare_corpus,
    tokenize,
)

__all__ = [
    "BowCorpus",
    "COHERENCE_MEASURES",
    "DynamicTopics",
    "KSelection",
    "MAX_LDASEQ_DOCUMENTS",
    "MAX_LDASEQ_TERMS",
    "ModelFileError",
    "NotReproducibleWarning",
    "PreparedCorpus",
    "SAMPLE_FIELDS",
    "SyntheticLDA",
    "TokenStream",
    "TokenizerParams",
    "TopicModel",
    "allocate",
    "best_match_similarity",
    "coherence",
    "dynamic_topics",
    "frame_packages",
    "frex_scores",
    "lexicon_seed_words",
    "load_model",
    "prepare_corpus",
    "representative_documents",
    "sample_lda_corpus",
    "save_model",
    "seed_eta",
    "select_k",
    "stratified_sample",
    "tokenize",
    "top_word_table",
    "topic_columns",
    "topic_communities",
    "topic_labels",
    "topic_network",
    "topic_prevalence",
    "topic_stability",
    "topic_word_hash",
]
