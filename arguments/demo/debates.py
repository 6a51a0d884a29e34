"""Demo content for `manage.py seed_demo`: three related debates about open-weight AI models
(and a fourth written in French, from `arguments/demo/french.py`), as plain data that the
seeding command and the tests can read without a database. `SOURCES` maps a
short key to the record of a real public document; `DEBATES` lists the debates, each with its
theses and a nested tree of pro and con claims (a claim's `stance` is relative to its parent),
citations that point into `SOURCES` by key, and `links` that reuse an existing claim elsewhere in
the same debate, like Kialo's linked claims. The claims are our own wording; citation quotes are
short excerpts or marked paraphrases of the cited documents.
"""

from __future__ import annotations

from arguments.demo.french import FRENCH_DEBATE, FRENCH_SOURCES

SOURCES: dict[str, dict[str, str]] = {
    "eu-ai-act": {
        "url": "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
        "title": "Regulation (EU) 2024/1689 (Artificial Intelligence Act)",
        "author": "",
        "publisher": "European Parliament and Council",
        "published": "2024-07-12",
        "kind": "law",
    },
    "eo-14110": {
        "url": (
            "https://www.federalregister.gov/documents/2023/11/01/2023-24283/"
            "safe-secure-and-trustworthy-development-and-use-of-artificial-intelligence"
        ),
        "title": (
            "Executive Order 14110: Safe, Secure, and Trustworthy Development and Use of "
            "Artificial Intelligence"
        ),
        "author": "",
        "publisher": "Federal Register (Executive Office of the President)",
        "published": "2023-11-01",
        "kind": "law",
    },
    "ntia-open-weights": {
        "url": (
            "https://www.ntia.gov/programs-and-initiatives/artificial-intelligence/"
            "open-model-weights-report"
        ),
        "title": "Dual-Use Foundation Models with Widely Available Model Weights",
        "author": "",
        "publisher": "National Telecommunications and Information Administration",
        "published": "2024-07-30",
        "kind": "paper",
    },
    "us-ai-action-plan": {
        "url": "https://www.whitehouse.gov/wp-content/uploads/2025/07/Americas-AI-Action-Plan.pdf",
        "title": "Winning the Race: America's AI Action Plan",
        "author": "",
        "publisher": "The White House",
        "published": "2025-07-23",
        "kind": "other",
    },
    "osaid": {
        "url": "https://opensource.org/ai/open-source-ai-definition",
        "title": "The Open Source AI Definition 1.0",
        "author": "",
        "publisher": "Open Source Initiative",
        "published": "2024-10-28",
        "kind": "other",
    },
    "osi-llama2-license": {
        "url": "https://opensource.org/blog/metas-llama-2-license-is-not-open-source",
        "title": "Meta's LLaMa 2 license is not Open Source",
        "author": "Stefano Maffulli",
        "publisher": "Open Source Initiative",
        "published": "2023-07-20",
        "kind": "article",
    },
    "llama-2": {
        "url": "https://arxiv.org/abs/2307.09288",
        "title": "Llama 2: Open Foundation and Fine-Tuned Chat Models",
        "author": "Hugo Touvron et al.",
        "publisher": "arXiv",
        "published": "2023-07-18",
        "kind": "paper",
    },
    "llama-3": {
        "url": "https://arxiv.org/abs/2407.21783",
        "title": "The Llama 3 Herd of Models",
        "author": "Llama Team, AI @ Meta",
        "publisher": "arXiv",
        "published": "2024-07-31",
        "kind": "paper",
    },
    "mistral-7b": {
        "url": "https://arxiv.org/abs/2310.06825",
        "title": "Mistral 7B",
        "author": "Albert Q. Jiang et al.",
        "publisher": "arXiv",
        "published": "2023-10-10",
        "kind": "paper",
    },
    "qwen2-5": {
        "url": "https://arxiv.org/abs/2412.15115",
        "title": "Qwen2.5 Technical Report",
        "author": "Qwen Team (An Yang et al.)",
        "publisher": "arXiv",
        "published": "2024-12-19",
        "kind": "paper",
    },
    "gemma": {
        "url": "https://arxiv.org/abs/2403.08295",
        "title": "Gemma: Open Models Based on Gemini Research and Technology",
        "author": "Gemma Team, Google DeepMind",
        "publisher": "arXiv",
        "published": "2024-03-13",
        "kind": "paper",
    },
    "deepseek-r1": {
        "url": "https://arxiv.org/abs/2501.12948",
        "title": (
            "DeepSeek-R1: Incentivizing Reasoning Capability in LLMs via Reinforcement Learning"
        ),
        "author": "DeepSeek-AI",
        "publisher": "arXiv",
        "published": "2025-01-22",
        "kind": "paper",
    },
    "kapoor-open-fms": {
        "url": "https://arxiv.org/abs/2403.07918",
        "title": "On the Societal Impact of Open Foundation Models",
        "author": "Sayash Kapoor, Rishi Bommasani et al.",
        "publisher": "arXiv",
        "published": "2024-02-27",
        "kind": "paper",
    },
    "seger-open-sourcing": {
        "url": "https://arxiv.org/abs/2311.09227",
        "title": (
            "Open-Sourcing Highly Capable Foundation Models: An evaluation of risks, benefits, "
            "and alternative methods for pursuing open-source objectives"
        ),
        "author": "Elizabeth Seger et al.",
        "publisher": "Centre for the Governance of AI",
        "published": "2023-09-29",
        "kind": "paper",
    },
    "badllama": {
        "url": "https://arxiv.org/abs/2311.00117",
        "title": "BadLlama: cheaply removing safety fine-tuning from Llama 2-Chat 13B",
        "author": "Pranav Gade, Simon Lermen, Charlie Rogers-Smith, Jeffrey Ladish",
        "publisher": "arXiv",
        "published": "2023-10-31",
        "kind": "paper",
    },
    "qi-fine-tuning": {
        "url": "https://arxiv.org/abs/2310.03693",
        "title": (
            "Fine-tuning Aligned Language Models Compromises Safety, Even When Users Do Not "
            "Intend To!"
        ),
        "author": "Xiangyu Qi et al.",
        "publisher": "arXiv",
        "published": "2023-10-05",
        "kind": "paper",
    },
    "tamper-resistant": {
        "url": "https://arxiv.org/abs/2408.00761",
        "title": "Tamper-Resistant Safeguards for Open-Weight LLMs",
        "author": "Rishub Tamirisa et al.",
        "publisher": "arXiv",
        "published": "2024-08-01",
        "kind": "paper",
    },
    "rand-bio-red-team": {
        "url": "https://www.rand.org/pubs/research_reports/RRA2977-2.html",
        "title": (
            "The Operational Risks of AI in Large-Scale Biological Attacks: "
            "Results of a Red-Team Study"
        ),
        "author": "Christopher A. Mouton, Caleb Lucas, Ella Guest",
        "publisher": "RAND Corporation",
        "published": "2024-01-25",
        "kind": "paper",
    },
    "zuckerberg-open-source": {
        "url": "https://about.fb.com/news/2024/07/open-source-ai-is-the-path-forward/",
        "title": "Open Source AI Is the Path Forward",
        "author": "Mark Zuckerberg",
        "publisher": "Meta",
        "published": "2024-07-23",
        "kind": "article",
    },
    "widder-open-ai": {
        "url": "https://www.nature.com/articles/s41586-024-08141-1",
        "title": "Why 'open' AI systems are actually closed, and why this matters",
        "author": "David Gray Widder, Meredith Whittaker, Sarah Myers West",
        "publisher": "Nature",
        "published": "2024-11-27",
        "kind": "paper",
    },
    "epoch-open-gap": {
        "url": "https://epoch.ai/data-insights/open-weights-vs-closed-weights-models",
        "title": "Open-weight models lag state-of-the-art by around 3 months on average",
        "author": "Luke Emberson",
        "publisher": "Epoch AI",
        "published": "2025-10-30",
        "kind": "article",
    },
    **FRENCH_SOURCES,
}


DEBATES: list[dict] = [
    {
        "slug": "open-weight-ai",
        "featured": True,
        "tags": ["AI policy", "Open source", "AI safety"],
        # A crowd's votes (demo voters beyond the authors) where the room splits: cruxes.
        "divided": {
            "misuse": [4, 0, 4, 0, 4],
            "sovereignty": [0, 4, 0, 4, 1],
            "safety-lag": [0, 4, 3, 0, 4],
            "innovation": [3, 3, 4, 2, 3],
        },
        "title": "Should developers release the weights of powerful AI models openly?",
        "description": (
            "Open-weight model families such as **Llama**, **Mistral**, **Qwen**, **Gemma** and "
            "**DeepSeek R1** now trail the best proprietary systems by months rather than years. "
            "Publishing the weights lets anyone download, adapt and run a model, but a release "
            "can never be taken back. This debate weighs broad access against misuse and "
            "proliferation, and asks how regulation, geopolitics and corporate strategy shift "
            "the balance."
        ),
        "author": "ada",
        "theses": [
            {
                "key": "t1",
                "text": (
                    "Developers should release the weights of their most capable AI models openly."
                ),
                "author": "ada",
                "children": [
                    # --- The case for openness -------------------------------------------
                    {
                        "key": "democratization",
                        "stance": "pro",
                        "text": (
                            "Open weights spread advanced AI beyond a few companies, so startups, "
                            "researchers, governments and individuals can build on it without "
                            "asking permission or paying a gatekeeper."
                        ),
                        "author": "ada",
                        "elaboration": (
                            "Keeping the most capable models inside a handful of firms creates a "
                            "lopsided balance of power. Publishing weights is the most direct "
                            "way to spread that power out."
                        ),
                        "cite": [
                            {
                                "source": "ntia-open-weights",
                                "quote": (
                                    "They decentralize AI market control from a few large AI "
                                    "developers."
                                ),
                                "locator": "Executive Summary",
                            }
                        ],
                        "children": [
                            {
                                "key": "power-needs-compute",
                                "stance": "con",
                                "text": (
                                    "Downloadable weights do not shift real power, because the "
                                    "compute, data and talent needed to train frontier models "
                                    "stay with the same few firms."
                                ),
                                "author": "chen",
                                "elaboration": "",
                                "cite": [
                                    {
                                        "source": "widder-open-ai",
                                        "quote": (
                                            "openness alone does not perturb the concentration "
                                            "of power in AI"
                                        ),
                                        "locator": "Abstract",
                                    }
                                ],
                                "children": [
                                    {
                                        "key": "adapt-not-train",
                                        "stance": "con",
                                        "text": (
                                            "Most users never need to train a frontier model; "
                                            "adapting and running an open one is within reach "
                                            "of a university lab or a small company."
                                        ),
                                        "author": "ada",
                                        "elaboration": "",
                                        "cite": [
                                            {
                                                "source": "ntia-open-weights",
                                                "quote": (
                                                    "They diversify and expand the array of "
                                                    "actors, including less resourced actors"
                                                ),
                                                "locator": "Executive Summary",
                                            }
                                        ],
                                        "children": [
                                            {
                                                "key": "big-models-big-hardware",
                                                "stance": "con",
                                                "text": (
                                                    "The largest open models still need "
                                                    "multi-GPU servers to run, so their main "
                                                    "beneficiaries in practice are cloud "
                                                    "providers and well-funded firms."
                                                ),
                                                "author": "chen",
                                                "elaboration": "",
                                                "cite": [],
                                                "children": [
                                                    {
                                                        "key": "distilled-small-models",
                                                        "stance": "con",
                                                        "text": (
                                                            "Open releases increasingly ship "
                                                            "small distilled versions: DeepSeek "
                                                            "published six R1-derived models of "
                                                            "1.5B to 70B parameters that run on "
                                                            "modest hardware."
                                                        ),
                                                        "author": "ben",
                                                        "elaboration": (
                                                            "A 7B or 8B model fits on a single "
                                                            "consumer graphics card once "
                                                            "quantised."
                                                        ),
                                                        "cite": [
                                                            {
                                                                "source": "deepseek-r1",
                                                                "quote": (
                                                                    "six dense models (1.5B, 7B, "
                                                                    "8B, 14B, 32B, 70B) distilled "
                                                                    "from DeepSeek-R1"
                                                                ),
                                                                "locator": "Abstract",
                                                            }
                                                        ],
                                                        "children": [],
                                                    }
                                                ],
                                            }
                                        ],
                                    }
                                ],
                            },
                            {
                                "key": "licence-strings",
                                "stance": "con",
                                "text": (
                                    "Many 'open' licences keep control with the releaser: "
                                    "Llama's licence, for instance, requires Meta's permission "
                                    "for services with more than 700 million monthly users."
                                ),
                                "author": "chen",
                                "elaboration": "",
                                "cite": [
                                    {
                                        "source": "osi-llama2-license",
                                        "quote": (
                                            "it puts restrictions on commercial use for some "
                                            "users (paragraph 2)"
                                        ),
                                        "locator": "",
                                    }
                                ],
                                "children": [
                                    {
                                        "key": "licence-rarely-binds",
                                        "stance": "con",
                                        "text": (
                                            "That clause binds only a handful of the largest "
                                            "platforms; nearly every startup, lab and public "
                                            "body falls far below the threshold."
                                        ),
                                        "author": "ada",
                                        "elaboration": "",
                                        "cite": [],
                                        "children": [],
                                    }
                                ],
                            },
                        ],
                    },
                    {
                        "key": "innovation",
                        "stance": "pro",
                        "text": (
                            "Open ecosystems innovate faster, because thousands of independent "
                            "groups can fine-tune, study and recombine a strong base model at "
                            "the same time."
                        ),
                        "author": "ben",
                        "elaboration": (
                            "Much of the wave of community fine-tunes, quantisation methods and "
                            "local-inference tools since 2023 was built on openly released base "
                            "models such as Llama and its descendants."
                        ),
                        "cite": [
                            {
                                "source": "kapoor-open-fms",
                                "quote": (
                                    "significant benefits, with some caveats, that span "
                                    "innovation, competition, the distribution of "
                                    "decision-making power, and transparency"
                                ),
                                "locator": "Abstract",
                            }
                        ],
                        "children": [
                            {
                                "key": "r1-ripple",
                                "stance": "pro",
                                "text": (
                                    "DeepSeek R1 showed how one open release can move a whole "
                                    "field: its reasoning results were studied, reproduced and "
                                    "built upon within weeks."
                                ),
                                "author": "ada",
                                "elaboration": (
                                    "Released in early 2025, it matched leading proprietary "
                                    "reasoning models on many benchmarks and jolted the industry."
                                ),
                                "cite": [
                                    {
                                        "source": "deepseek-r1",
                                        "quote": (
                                            "DeepSeek-R1 achieves performance comparable to "
                                            "OpenAI-o1-1217 on reasoning tasks."
                                        ),
                                        "locator": "Abstract",
                                    }
                                ],
                                "children": [
                                    {
                                        "key": "paper-would-suffice",
                                        "stance": "con",
                                        "text": (
                                            "R1's real contribution was its training recipe, "
                                            "which a detailed paper could have shared without "
                                            "putting the weights themselves online."
                                        ),
                                        "author": "chen",
                                        "elaboration": "",
                                        "cite": [],
                                        "children": [
                                            {
                                                "key": "verify-needs-weights",
                                                "stance": "con",
                                                "text": (
                                                    "Outsiders could check R1's benchmark "
                                                    "claims and probe its behaviour only "
                                                    "because the weights were downloadable, not "
                                                    "merely described."
                                                ),
                                                "author": "ben",
                                                "elaboration": "",
                                                "cite": [],
                                                "children": [],
                                            }
                                        ],
                                    }
                                ],
                            },
                            {
                                "key": "permissive-licences",
                                "stance": "pro",
                                "text": (
                                    "Permissively licensed releases such as Mistral 7B under "
                                    "Apache 2.0 let companies build commercial products "
                                    "without negotiating terms with the developer."
                                ),
                                "author": "ben",
                                "elaboration": "",
                                "cite": [
                                    {
                                        "source": "mistral-7b",
                                        "quote": "released under the Apache 2.0 license",
                                        "locator": "Abstract",
                                    }
                                ],
                                "children": [],
                            },
                        ],
                    },
                    {
                        "key": "transparency",
                        "stance": "pro",
                        "text": (
                            "Open weights let independent researchers inspect, audit and "
                            "stress-test a model instead of taking the developer's safety claims "
                            "on trust."
                        ),
                        "author": "ada",
                        "elaboration": (
                            "When the stakes are high, claims that outsiders can check deserve "
                            "more weight than claims they cannot."
                        ),
                        "cite": [
                            {
                                "source": "llama-2",
                                "quote": (
                                    "a detailed description of our approach to fine-tuning and "
                                    "safety improvements ... to enable the community to build on "
                                    "our work"
                                ),
                                "locator": "Abstract",
                            }
                        ],
                        "children": [
                            {
                                "key": "weights-without-data",
                                "stance": "con",
                                "text": (
                                    "Most so-called open-source models are really open-weight: "
                                    "without the training data and code, outsiders cannot "
                                    "rebuild the model or trace where its behaviour comes from."
                                ),
                                "author": "chen",
                                "elaboration": (
                                    "'Open-weight' is the more precise term, even though "
                                    "'open-source' has become the everyday shorthand."
                                ),
                                "cite": [
                                    {
                                        "source": "eu-ai-act",
                                        "quote": (
                                            "does not necessarily reveal substantial information "
                                            "on the data set used for the training or "
                                            "fine-tuning of the model"
                                        ),
                                        "locator": "Recital 104",
                                    }
                                ],
                                "children": [
                                    {
                                        "key": "audits-need-only-weights",
                                        "stance": "con",
                                        "text": (
                                            "Many of the audits that matter most, such as "
                                            "red-teaming, interpretability and bias testing, "
                                            "need only the weights, not the training corpus."
                                        ),
                                        "author": "ben",
                                        "elaboration": "",
                                        "cite": [],
                                        "children": [
                                            {
                                                "key": "provenance-gap",
                                                "stance": "con",
                                                "text": (
                                                    "Questions about copyrighted material, "
                                                    "benchmark contamination or deliberately "
                                                    "poisoned data cannot be settled by studying "
                                                    "the weights alone."
                                                ),
                                                "author": "chen",
                                                "elaboration": "",
                                                "cite": [],
                                                "children": [
                                                    {
                                                        "key": "training-summary-duty",
                                                        "stance": "con",
                                                        "text": (
                                                            "The EU AI Act still obliges "
                                                            "open-source model providers to "
                                                            "publish a summary of their training "
                                                            "content, so some data transparency "
                                                            "is required anyway."
                                                        ),
                                                        "author": "ada",
                                                        "elaboration": "",
                                                        "cite": [
                                                            {
                                                                "source": "eu-ai-act",
                                                                "quote": (
                                                                    "the exception ... should not "
                                                                    "concern the obligation to "
                                                                    "produce a summary about the "
                                                                    "content used for model "
                                                                    "training"
                                                                ),
                                                                "locator": (
                                                                    "Recital 104; Art. 53(1)(d), "
                                                                    "53(2)"
                                                                ),
                                                            }
                                                        ],
                                                        "children": [],
                                                    }
                                                ],
                                            }
                                        ],
                                    }
                                ],
                            },
                            {
                                "key": "closed-evals-unverifiable",
                                "stance": "pro",
                                "text": (
                                    "Closed developers publish their own evaluations, but "
                                    "outsiders cannot rerun them, so a closed model's safety "
                                    "record rests largely on trust."
                                ),
                                "author": "ben",
                                "elaboration": "",
                                "cite": [],
                                "children": [],
                            },
                        ],
                    },
                    {
                        "key": "sovereignty",
                        "stance": "pro",
                        "text": (
                            "Open weights let countries and organisations run AI on their own "
                            "infrastructure, shielded from a foreign provider's policy changes, "
                            "sanctions or outages."
                        ),
                        "author": "ben",
                        "elaboration": (
                            "This is a central reason why European governments and many "
                            "developing nations back open models."
                        ),
                        "cite": [],
                        "children": [
                            {
                                "key": "data-stays-home",
                                "stance": "pro",
                                "text": (
                                    "Running a model locally also keeps sensitive data in-house "
                                    "instead of sending it to a third-party API."
                                ),
                                "author": "ada",
                                "elaboration": "",
                                "cite": [
                                    {
                                        "source": "ntia-open-weights",
                                        "quote": (
                                            "enable users to leverage models without sharing "
                                            "data with third parties"
                                        ),
                                        "locator": "Executive Summary",
                                    }
                                ],
                                "children": [],
                            },
                            {
                                "key": "few-origins",
                                "stance": "con",
                                "text": (
                                    "The independence is partial: nearly all leading open models "
                                    "come from US or Chinese companies, which still decide what "
                                    "gets trained and released next."
                                ),
                                "author": "chen",
                                "elaboration": "",
                                "cite": [],
                                "children": [
                                    {
                                        "key": "mistral-europe",
                                        "stance": "con",
                                        "text": (
                                            "Open release has also seeded capability outside "
                                            "those two countries, as the French developer "
                                            "Mistral shows."
                                        ),
                                        "author": "ben",
                                        "elaboration": "",
                                        "cite": [
                                            {
                                                "source": "mistral-7b",
                                                "quote": (
                                                    "Mistral 7B outperforms Llama 2 13B across "
                                                    "all evaluated benchmarks"
                                                ),
                                                "locator": "Abstract",
                                            }
                                        ],
                                        "children": [
                                            {
                                                "key": "thin-base",
                                                "stance": "con",
                                                "text": (
                                                    "One European company is a thin base for a "
                                                    "continent's AI independence, especially "
                                                    "while it relies on US chips and cloud "
                                                    "capacity."
                                                ),
                                                "author": "chen",
                                                "elaboration": "",
                                                "cite": [],
                                                "children": [],
                                            }
                                        ],
                                    }
                                ],
                            },
                        ],
                    },
                    {
                        "key": "resilience",
                        "stance": "pro",
                        "text": (
                            "A distributed ecosystem of open models is harder to shut down, "
                            "censor or quietly manipulate than one company's hosted service."
                        ),
                        "author": "ada",
                        "elaboration": "",
                        "cite": [],
                        "children": [
                            {
                                "key": "cannot-recall",
                                "stance": "con",
                                "text": (
                                    "The same property cuts both ways: a model nobody can shut "
                                    "down also cannot be recalled if a dangerous flaw turns up "
                                    "after release."
                                ),
                                "author": "chen",
                                "elaboration": "",
                                "cite": [
                                    {
                                        "source": "kapoor-open-fms",
                                        "quote": (
                                            "Paraphrase: lists the inability to rescind weights "
                                            "once released among the distinctive properties of "
                                            "open models."
                                        ),
                                        "locator": "",
                                    }
                                ],
                                "children": [
                                    {
                                        "key": "hosted-also-fail",
                                        "stance": "con",
                                        "text": (
                                            "Hosted services also change or vanish without "
                                            "warning; irreversibility matters only for models "
                                            "able to cause serious harm, which most are not."
                                        ),
                                        "author": "ben",
                                        "elaboration": "",
                                        "cite": [],
                                        "children": [],
                                    }
                                ],
                            },
                            {
                                "key": "no-single-point",
                                "stance": "pro",
                                "text": (
                                    "When a hosted provider changes its rules or goes offline, "
                                    "every product built on it changes too, while local copies "
                                    "of open weights keep working."
                                ),
                                "author": "ben",
                                "elaboration": "",
                                "cite": [],
                                "children": [],
                            },
                        ],
                    },
                    # --- The case against ------------------------------------------------
                    {
                        "key": "misuse",
                        "stance": "con",
                        "text": (
                            "Once weights are published they cannot be withdrawn, and anyone can "
                            "fine-tune away the safety training at almost no cost."
                        ),
                        "author": "chen",
                        "elaboration": (
                            "Stripped models could produce harmful content or help with weapons "
                            "development, and nobody could revoke access to them."
                        ),
                        "cite": [
                            {
                                "source": "seger-open-sourcing",
                                "quote": (
                                    "it also presents a growing potential for misuse and "
                                    "unintended consequences"
                                ),
                                "locator": "Abstract",
                            }
                        ],
                        "children": [
                            {
                                "key": "badllama",
                                "stance": "pro",
                                "text": (
                                    "Researchers removed the safety fine-tuning from Llama 2-Chat "
                                    "13B for under $200 while keeping its general abilities "
                                    "intact."
                                ),
                                "author": "chen",
                                "elaboration": "",
                                "cite": [
                                    {
                                        "source": "badllama",
                                        "quote": (
                                            "it is possible to effectively undo the safety "
                                            "fine-tuning from Llama 2-Chat 13B with less than "
                                            "$200"
                                        ),
                                        "locator": "Abstract",
                                    }
                                ],
                                "children": [
                                    {
                                        "key": "closed-also-jailbroken",
                                        "stance": "con",
                                        "text": (
                                            "Closed models are vulnerable too: GPT-3.5 Turbo's "
                                            "guardrails were broken through its official "
                                            "fine-tuning API with ten examples costing under "
                                            "$0.20."
                                        ),
                                        "author": "ada",
                                        "elaboration": "",
                                        "cite": [
                                            {
                                                "source": "qi-fine-tuning",
                                                "quote": (
                                                    "fine-tuning it on only 10 such examples at "
                                                    "a cost of less than $0.20"
                                                ),
                                                "locator": "Abstract",
                                            }
                                        ],
                                        "children": [
                                            {
                                                "key": "closed-can-patch",
                                                "stance": "con",
                                                "text": (
                                                    "A closed provider can patch its API, "
                                                    "screen fine-tuning jobs and ban abusers; "
                                                    "once weights are downloaded, none of those "
                                                    "remedies exist."
                                                ),
                                                "author": "chen",
                                                "elaboration": "",
                                                "cite": [],
                                                "children": [
                                                    {
                                                        "key": "tamper-resistance",
                                                        "stance": "con",
                                                        "text": (
                                                            "Tamper-resistant training may "
                                                            "narrow that gap: in tests, TAR "
                                                            "safeguards survived hundreds of "
                                                            "steps of adversarial fine-tuning."
                                                        ),
                                                        "author": "ben",
                                                        "elaboration": "",
                                                        "cite": [
                                                            {
                                                                "source": "tamper-resistant",
                                                                "quote": (
                                                                    "adversaries cannot remove "
                                                                    "the safeguards even after "
                                                                    "hundreds of steps of "
                                                                    "fine-tuning"
                                                                ),
                                                                "locator": "Abstract",
                                                            }
                                                        ],
                                                        "children": [
                                                            {
                                                                "key": "tamper-defences-young",
                                                                "stance": "con",
                                                                "text": (
                                                                    "Such defences are early "
                                                                    "research tested against "
                                                                    "known attacks, while an "
                                                                    "attacker needs only one "
                                                                    "method that works."
                                                                ),
                                                                "author": "chen",
                                                                "elaboration": "",
                                                                "cite": [],
                                                                "children": [],
                                                            }
                                                        ],
                                                    }
                                                ],
                                            }
                                        ],
                                    }
                                ],
                            },
                            {
                                "key": "marginal-risk",
                                "stance": "con",
                                "text": (
                                    "What counts is marginal risk: for many harms an open model "
                                    "adds little to what search engines and existing tools "
                                    "already provide."
                                ),
                                "author": "ben",
                                "elaboration": "",
                                "cite": [
                                    {
                                        "source": "kapoor-open-fms",
                                        "quote": (
                                            "current research is insufficient to effectively "
                                            "characterize the marginal risk of open foundation "
                                            "models relative to pre-existing technologies"
                                        ),
                                        "locator": "Abstract",
                                    }
                                ],
                                "children": [
                                    {
                                        "key": "rand-bio",
                                        "stance": "pro",
                                        "text": (
                                            "In a RAND red-team exercise, teams using language "
                                            "models produced biological attack plans no more "
                                            "viable than teams using only the internet."
                                        ),
                                        "author": "ben",
                                        "elaboration": "",
                                        "cite": [
                                            {
                                                "source": "rand-bio-red-team",
                                                "quote": (
                                                    "no statistically significant difference in "
                                                    "the viability of plans generated with or "
                                                    "without LLM assistance"
                                                ),
                                                "locator": "Key findings",
                                            }
                                        ],
                                        "children": [
                                            {
                                                "key": "rand-dated",
                                                "stance": "con",
                                                "text": (
                                                    "That exercise tested 2023-era models, and "
                                                    "its authors warned that later models could "
                                                    "close the knowledge gap they observed."
                                                ),
                                                "author": "chen",
                                                "elaboration": "",
                                                "cite": [],
                                                "children": [],
                                            }
                                        ],
                                    }
                                ],
                            },
                            {
                                "key": "exists-anyway",
                                "stance": "con",
                                "text": (
                                    "Open models will exist whatever one developer decides: if "
                                    "one lab holds back, others, including labs in other "
                                    "countries, will publish comparable weights."
                                ),
                                "author": "ada",
                                "elaboration": "",
                                "cite": [],
                                "children": [
                                    {
                                        "key": "gap-months",
                                        "stance": "pro",
                                        "text": (
                                            "The best open-weight models trail the leading "
                                            "closed ones by only about three months, so holding "
                                            "back one model buys very little time."
                                        ),
                                        "author": "ben",
                                        "elaboration": (
                                            "For many practical applications the remaining "
                                            "difference is hard to notice."
                                        ),
                                        "cite": [
                                            {
                                                "source": "epoch-open-gap",
                                                "quote": (
                                                    "Frontier open-weight models lag behind the "
                                                    "most capable models by an average of 3 "
                                                    "months"
                                                ),
                                                "locator": "",
                                            }
                                        ],
                                        "children": [],
                                    },
                                    {
                                        "key": "deepseek-elsewhere",
                                        "stance": "pro",
                                        "text": (
                                            "DeepSeek R1 came from a Chinese lab, which shows "
                                            "that restraint by US developers alone cannot keep "
                                            "strong reasoning models off the internet."
                                        ),
                                        "author": "ada",
                                        "elaboration": "",
                                        "cite": [],
                                        "children": [],
                                    },
                                    {
                                        "key": "each-release-counts",
                                        "stance": "con",
                                        "text": (
                                            "That others might release does not oblige any one "
                                            "developer to add its most capable weights to the "
                                            "pool; each release still pushes the open frontier "
                                            "forward."
                                        ),
                                        "author": "chen",
                                        "elaboration": "",
                                        "cite": [],
                                        "children": [],
                                    },
                                ],
                            },
                        ],
                    },
                    {
                        "key": "safety-lag",
                        "stance": "con",
                        "text": (
                            "Safety research trails capabilities and happens mostly inside "
                            "closed labs, so releasing near-frontier weights outruns the "
                            "safeguards that should come with them."
                        ),
                        "author": "chen",
                        "elaboration": (
                            "If open models approach frontier capability, alignment work has to "
                            "keep pace, and today it does not."
                        ),
                        "cite": [],
                        "children": [
                            {
                                "key": "academics-need-weights",
                                "stance": "con",
                                "text": (
                                    "Open weights are the main way academic and independent "
                                    "safety researchers can study frontier-scale models at all, "
                                    "so releasing them speeds safety work up."
                                ),
                                "author": "ada",
                                "elaboration": "",
                                "cite": [],
                                "children": [
                                    {
                                        "key": "llama-guard",
                                        "stance": "pro",
                                        "text": (
                                            "Meta published Llama Guard 3, an input and output "
                                            "safety classifier, together with the Llama 3 "
                                            "weights so that others could use and improve it."
                                        ),
                                        "author": "ben",
                                        "elaboration": "",
                                        "cite": [
                                            {
                                                "source": "llama-3",
                                                "quote": (
                                                    "our Llama Guard 3 model for input and "
                                                    "output safety"
                                                ),
                                                "locator": "Abstract",
                                            }
                                        ],
                                        "children": [],
                                    },
                                    {
                                        "key": "structured-access",
                                        "stance": "con",
                                        "text": (
                                            "Researchers can get deep access through gated or "
                                            "structured research programmes without the "
                                            "weights becoming public to everyone."
                                        ),
                                        "author": "chen",
                                        "elaboration": "",
                                        "cite": [
                                            {
                                                "source": "seger-open-sourcing",
                                                "quote": (
                                                    "Alternative strategies, including "
                                                    "non-open-source model sharing options, are "
                                                    "explored."
                                                ),
                                                "locator": "Abstract",
                                            }
                                        ],
                                        "children": [],
                                    },
                                ],
                            },
                            {
                                "key": "safeguards-stripped",
                                "stance": "pro",
                                "text": (
                                    "No safeguard yet reliably survives release: refusal and "
                                    "unlearning defences can be stripped with a few steps of "
                                    "fine-tuning."
                                ),
                                "author": "chen",
                                "elaboration": "",
                                "cite": [
                                    {
                                        "source": "tamper-resistant",
                                        "quote": (
                                            "refusal and unlearning safeguards can be trivially "
                                            "removed with a few steps of fine-tuning"
                                        ),
                                        "locator": "Abstract",
                                    }
                                ],
                                "children": [],
                            },
                            {
                                "key": "closing-no-faster",
                                "stance": "con",
                                "text": (
                                    "Keeping weights closed does not make alignment research "
                                    "progress any faster; it only narrows who is allowed to do "
                                    "it."
                                ),
                                "author": "ben",
                                "elaboration": "",
                                "cite": [],
                                "children": [],
                            },
                        ],
                    },
                    {
                        "key": "corporate-strategy",
                        "stance": "con",
                        "text": (
                            "Companies open their weights for strategic gain, commoditising the "
                            "model layer while keeping the platforms, users and data that earn "
                            "them money."
                        ),
                        "author": "chen",
                        "elaboration": (
                            "If openness is a business tactic rather than a principle, its "
                            "benefits last only as long as it pays."
                        ),
                        "cite": [],
                        "children": [
                            {
                                "key": "meta-business-model",
                                "stance": "pro",
                                "text": (
                                    "Meta has said that selling access to models is not its "
                                    "business, so giving Llama away costs it little while "
                                    "undercutting rivals that charge for access."
                                ),
                                "author": "chen",
                                "elaboration": "",
                                "cite": [
                                    {
                                        "source": "zuckerberg-open-source",
                                        "quote": (
                                            "Paraphrase: unlike closed providers, Meta does not "
                                            "rely on selling model access, so openness does not "
                                            "undercut its revenue."
                                        ),
                                        "locator": "",
                                    }
                                ],
                                "children": [],
                            },
                            {
                                "key": "motive-irrelevant",
                                "stance": "con",
                                "text": (
                                    "Motive does not change the outcome: the public receives "
                                    "usable weights whether a release was altruistic or "
                                    "strategic."
                                ),
                                "author": "ada",
                                "elaboration": "",
                                "cite": [],
                                "children": [
                                    {
                                        "key": "can-close-again",
                                        "stance": "con",
                                        "text": (
                                            "Motive matters over time: a firm that opens for "
                                            "strategic reasons can stop when its strategy "
                                            "shifts, and Meta said in 2025 it would be more "
                                            "selective."
                                        ),
                                        "author": "chen",
                                        "elaboration": "",
                                        "cite": [],
                                        "children": [
                                            {
                                                "key": "released-stays-released",
                                                "stance": "con",
                                                "text": (
                                                    "Weights already published stay usable "
                                                    "under their licence even if the company "
                                                    "never releases another model."
                                                ),
                                                "author": "ada",
                                                "elaboration": "",
                                                "cite": [],
                                                "children": [],
                                            }
                                        ],
                                    }
                                ],
                            },
                            {
                                "key": "states-lever",
                                "stance": "pro",
                                "text": (
                                    "Governments use openness as a lever too: US policy credits "
                                    "open models with geostrategic value, and Chinese labs "
                                    "release openly to win global adoption."
                                ),
                                "author": "ben",
                                "elaboration": (
                                    "Meta frames its own releases the same way, as a way to keep "
                                    "the US ecosystem ahead of geopolitical rivals."
                                ),
                                "cite": [
                                    {
                                        "source": "us-ai-action-plan",
                                        "quote": "they also have geostrategic value",
                                        "locator": "Pillar I, open-source and open-weight AI",
                                    },
                                    {
                                        "source": "zuckerberg-open-source",
                                        "quote": (
                                            "a world of only closed models results in a small "
                                            "number of big companies plus our geopolitical "
                                            "adversaries having access to leading models"
                                        ),
                                        "locator": "",
                                    },
                                ],
                                "children": [
                                    {
                                        "key": "rivalry-public-good",
                                        "stance": "con",
                                        "text": (
                                            "Rival strategies can still produce a public good: "
                                            "competition between open releases keeps pushing "
                                            "prices down and capability up."
                                        ),
                                        "author": "ada",
                                        "elaboration": "",
                                        "cite": [
                                            {
                                                "source": "qwen2-5",
                                                "quote": (
                                                    "Paraphrase: the 72B Qwen2.5 model competes "
                                                    "with Llama-3-405B-Instruct, a model about "
                                                    "five times larger."
                                                ),
                                                "locator": "Abstract",
                                            }
                                        ],
                                        "children": [],
                                    }
                                ],
                            },
                        ],
                    },
                    {
                        "key": "proliferation",
                        "stance": "con",
                        "text": (
                            "As models grow more capable, so does the danger of unrestricted "
                            "access: a model that helps with biology homework today might help "
                            "synthesise a pathogen tomorrow."
                        ),
                        "author": "ben",
                        "elaboration": (
                            "Telling safe-to-release models from dangerous ones gets harder "
                            "exactly as the stakes rise."
                        ),
                        "cite": [],
                        "children": [
                            {
                                "key": "extreme-risk",
                                "stance": "pro",
                                "text": (
                                    "Some highly capable models may carry risks severe enough to "
                                    "outweigh the benefits of open release, at least at first."
                                ),
                                "author": "chen",
                                "elaboration": "",
                                "cite": [
                                    {
                                        "source": "seger-open-sourcing",
                                        "quote": (
                                            "open-sourcing may pose sufficiently extreme risks "
                                            "to outweigh the benefits"
                                        ),
                                        "locator": "Abstract",
                                    }
                                ],
                                "children": [],
                            },
                            {
                                "key": "eu-tiered",
                                "stance": "con",
                                "text": (
                                    "Regulation already scales with capability: the EU AI Act "
                                    "relieves open models of some duties only while they stay "
                                    "below the systemic-risk tier."
                                ),
                                "author": "ada",
                                "elaboration": (
                                    "That keeps the compliance burden light for open-source "
                                    "developers while oversight concentrates on the most "
                                    "powerful systems."
                                ),
                                "cite": [
                                    {
                                        "source": "eu-ai-act",
                                        "quote": (
                                            "This exception shall not apply to general-purpose "
                                            "AI models with systemic risks."
                                        ),
                                        "locator": "Art. 53(2)",
                                    }
                                ],
                                "children": [
                                    {
                                        "key": "flop-presumption",
                                        "stance": "pro",
                                        "text": (
                                            "Under the Act, a model trained with more than "
                                            "10^25 FLOPs is presumed to have high-impact "
                                            "capabilities, and open release does not excuse it "
                                            "from the extra duties."
                                        ),
                                        "author": "ben",
                                        "elaboration": "",
                                        "cite": [
                                            {
                                                "source": "eu-ai-act",
                                                "quote": (
                                                    "presumed to have high impact capabilities "
                                                    "... greater than 10^25"
                                                ),
                                                "locator": "Art. 51(2)",
                                            }
                                        ],
                                        "children": [
                                            {
                                                "key": "compute-crude-proxy",
                                                "stance": "con",
                                                "text": (
                                                    "Training compute is a crude proxy: "
                                                    "distillation and better algorithms let "
                                                    "smaller models reach abilities the "
                                                    "threshold was meant to catch."
                                                ),
                                                "author": "chen",
                                                "elaboration": "",
                                                "cite": [],
                                                "children": [
                                                    {
                                                        "key": "threshold-can-move",
                                                        "stance": "con",
                                                        "text": (
                                                            "The Commission can amend the "
                                                            "threshold and designate models on "
                                                            "other criteria, so the line can "
                                                            "move with the technology."
                                                        ),
                                                        "author": "ben",
                                                        "elaboration": "",
                                                        "cite": [
                                                            {
                                                                "source": "eu-ai-act",
                                                                "quote": (
                                                                    "in light of evolving "
                                                                    "technological developments, "
                                                                    "such as algorithmic "
                                                                    "improvements"
                                                                ),
                                                                "locator": "Art. 51(1)(b), 51(3)",
                                                            }
                                                        ],
                                                        "children": [],
                                                    }
                                                ],
                                            }
                                        ],
                                    },
                                    {
                                        "key": "hobbyist-not-lab",
                                        "stance": "pro",
                                        "text": (
                                            "Treating a hobbyist fine-tuning a 7B model like a "
                                            "lab spending billions on a frontier run would be "
                                            "neither workable nor fair."
                                        ),
                                        "author": "ada",
                                        "elaboration": "",
                                        "cite": [
                                            {
                                                "source": "eu-ai-act",
                                                "quote": (
                                                    "This Regulation does not apply to AI "
                                                    "systems released under free and "
                                                    "open-source licences, unless ..."
                                                ),
                                                "locator": "Art. 2(12)",
                                            }
                                        ],
                                        "children": [],
                                    },
                                ],
                            },
                            {
                                "key": "us-policy-swings",
                                "stance": "con",
                                "text": (
                                    "US policy has swung from scrutinising open weights under "
                                    "Executive Order 14110 to actively promoting them, a sign "
                                    "that the proliferation threat is contested."
                                ),
                                "author": "ada",
                                "elaboration": "",
                                "cite": [
                                    {
                                        "source": "eo-14110",
                                        "quote": (
                                            "Paraphrase: tasks Commerce with a report on "
                                            "dual-use foundation models with widely available "
                                            "weights."
                                        ),
                                        "locator": "Sec. 4.6",
                                    },
                                    {
                                        "source": "us-ai-action-plan",
                                        "quote": (
                                            "the Federal government should create a supportive "
                                            "environment for open models"
                                        ),
                                        "locator": "Pillar I",
                                    },
                                ],
                                "children": [
                                    {
                                        "key": "ntia-no-restriction",
                                        "stance": "pro",
                                        "text": (
                                            "After a public consultation, NTIA found the "
                                            "evidence did not justify restricting open-weight "
                                            "models at that time."
                                        ),
                                        "author": "ada",
                                        "elaboration": "",
                                        "cite": [
                                            {
                                                "source": "ntia-open-weights",
                                                "quote": (
                                                    "not sufficient either to definitively "
                                                    "conclude that restrictions on such "
                                                    "open-weight models are warranted"
                                                ),
                                                "locator": "Conclusion",
                                            }
                                        ],
                                        "children": [
                                            {
                                                "key": "ntia-keeps-watch",
                                                "stance": "con",
                                                "text": (
                                                    "The same report refused to rule out "
                                                    "future restrictions and told the "
                                                    "government to monitor models against "
                                                    "thresholds of concern."
                                                ),
                                                "author": "chen",
                                                "elaboration": "",
                                                "cite": [
                                                    {
                                                        "source": "ntia-open-weights",
                                                        "quote": (
                                                            "or that restrictions will never be "
                                                            "appropriate in the future"
                                                        ),
                                                        "locator": "Conclusion",
                                                    }
                                                ],
                                                "children": [],
                                            }
                                        ],
                                    },
                                    {
                                        "key": "politics-not-evidence",
                                        "stance": "con",
                                        "text": (
                                            "The swing followed changes of administration "
                                            "rather than new evidence, so it says more about "
                                            "politics than about the actual risk."
                                        ),
                                        "author": "chen",
                                        "elaboration": "",
                                        "cite": [],
                                        "children": [],
                                    },
                                ],
                            },
                        ],
                    },
                ],
            }
        ],
        "links": [
            {"claim": "gap-months", "parent": "proliferation", "stance": "pro"},
            {"claim": "marginal-risk", "parent": "proliferation", "stance": "con"},
            {"claim": "weights-without-data", "parent": "corporate-strategy", "stance": "pro"},
            {"claim": "cannot-recall", "parent": "misuse", "stance": "pro"},
            {"claim": "states-lever", "parent": "sovereignty", "stance": "con"},
            {"claim": "safety-lag", "parent": "innovation", "stance": "con"},
            {"claim": "badllama", "parent": "safety-lag", "stance": "pro"},
        ],
    },
    {
        "slug": "where-the-line-falls",
        "tags": ["AI policy", "AI safety", "Regulation"],
        "divided": {"compute-measurable": [0, 4, 4, 0, 0]},
        "title": (
            "At what capability level does releasing weights become irresponsible, and who decides?"
        ),
        "description": (
            "Few people argue that every model should be released, or that none should. The "
            "harder questions are where the cut-off lies and who has the authority to draw it. "
            "This debate compares a **compute threshold** with capability tests, and developer "
            "self-governance with **independent regulators**."
        ),
        "author": "ben",
        "theses": [
            {
                "key": "compute-line",
                "text": (
                    "A training-compute threshold is the right way to decide which models are "
                    "too capable to release openly."
                ),
                "author": "ben",
                "children": [
                    {
                        "key": "compute-measurable",
                        "stance": "pro",
                        "text": (
                            "Training compute is known before release and hard to disguise, "
                            "which gives developers and regulators a predictable, checkable test."
                        ),
                        "author": "ben",
                        "elaboration": "",
                        "cite": [],
                        "children": [
                            {
                                "key": "distillation-dodge",
                                "stance": "con",
                                "text": (
                                    "Developers can stay under a compute line by distilling from "
                                    "larger models, as DeepSeek's small R1-derived models "
                                    "illustrate."
                                ),
                                "author": "chen",
                                "elaboration": "",
                                "cite": [
                                    {
                                        "source": "deepseek-r1",
                                        "quote": (
                                            "six dense models ... distilled from DeepSeek-R1 "
                                            "based on Qwen and Llama"
                                        ),
                                        "locator": "Abstract",
                                    }
                                ],
                                "children": [
                                    {
                                        "key": "paired-evaluations",
                                        "stance": "con",
                                        "text": (
                                            "A compute line can be paired with capability "
                                            "evaluations, so a small model that tests as "
                                            "dangerous is still caught."
                                        ),
                                        "author": "ben",
                                        "elaboration": "",
                                        "cite": [
                                            {
                                                "source": "eu-ai-act",
                                                "quote": (
                                                    "high impact capabilities evaluated on the "
                                                    "basis of appropriate technical tools and "
                                                    "methodologies"
                                                ),
                                                "locator": "Art. 51(1)(a)",
                                            }
                                        ],
                                        "children": [],
                                    }
                                ],
                            }
                        ],
                    },
                    {
                        "key": "shared-reference",
                        "stance": "pro",
                        "text": (
                            "Both the EU AI Act and the 2023 US executive order used compute "
                            "thresholds, giving regulators a common reference point."
                        ),
                        "author": "ada",
                        "elaboration": "",
                        "cite": [
                            {
                                "source": "eu-ai-act",
                                "quote": "Paraphrase: presumption above 10^25 FLOPs.",
                                "locator": "Art. 51(2)",
                            },
                            {
                                "source": "eo-14110",
                                "quote": (
                                    "Paraphrase: reporting duties for models trained with more "
                                    "than 10^26 operations."
                                ),
                                "locator": "Sec. 4.2(b)",
                            },
                        ],
                        "children": [
                            {
                                "key": "tenfold-apart",
                                "stance": "con",
                                "text": (
                                    "The two numbers differed tenfold and the US one was later "
                                    "revoked, which suggests the choice of threshold is largely "
                                    "arbitrary."
                                ),
                                "author": "chen",
                                "elaboration": "",
                                "cite": [
                                    {
                                        "source": "us-ai-action-plan",
                                        "quote": (
                                            "Paraphrase: notes that Executive Order 14110 was "
                                            "rescinded."
                                        ),
                                        "locator": "Pillar I",
                                    }
                                ],
                                "children": [],
                            }
                        ],
                    },
                    {
                        "key": "capability-not-compute",
                        "stance": "con",
                        "text": (
                            "What makes a release dangerous is a specific capability, such as "
                            "real uplift for bioweapons or cyberattacks, which compute predicts "
                            "poorly."
                        ),
                        "author": "chen",
                        "elaboration": "",
                        "cite": [],
                        "children": [
                            {
                                "key": "marginal-risk-test",
                                "stance": "pro",
                                "text": (
                                    "Assessing marginal risk, by comparing a model with the "
                                    "tools attackers already have, would target that harm "
                                    "directly."
                                ),
                                "author": "ada",
                                "elaboration": "",
                                "cite": [
                                    {
                                        "source": "kapoor-open-fms",
                                        "quote": (
                                            "we design a risk assessment framework for "
                                            "analyzing their marginal risk"
                                        ),
                                        "locator": "Abstract",
                                    }
                                ],
                                "children": [
                                    {
                                        "key": "evidence-thin",
                                        "stance": "con",
                                        "text": (
                                            "Marginal-risk assessments are hard to run before "
                                            "release and easy to dispute; NTIA found the "
                                            "evidence too thin to settle the question either "
                                            "way."
                                        ),
                                        "author": "ben",
                                        "elaboration": "",
                                        "cite": [
                                            {
                                                "source": "ntia-open-weights",
                                                "quote": (
                                                    "The current evidence base of the marginal "
                                                    "risks and benefits ... is not sufficient"
                                                ),
                                                "locator": "Conclusion",
                                            }
                                        ],
                                        "children": [],
                                    }
                                ],
                            }
                        ],
                    },
                ],
            },
            {
                "key": "regulators-decide",
                "text": (
                    "Independent public regulators, not developers, should decide which models "
                    "are too capable to release openly."
                ),
                "author": "chen",
                "children": [
                    {
                        "key": "conflict-of-interest",
                        "stance": "pro",
                        "text": (
                            "A developer that gains commercially or strategically from a "
                            "release has a conflict of interest when judging its own model's "
                            "risk."
                        ),
                        "author": "chen",
                        "elaboration": "",
                        "cite": [],
                        "children": [
                            {
                                "key": "reputational-stake",
                                "stance": "con",
                                "text": (
                                    "Developers also bear the legal and reputational fallout of "
                                    "a harmful release, which gives them their own reasons to be "
                                    "careful."
                                ),
                                "author": "ben",
                                "elaboration": "",
                                "cite": [],
                                "children": [],
                            }
                        ],
                    },
                    {
                        "key": "developer-decides",
                        "stance": "con",
                        "text": (
                            "US policy explicitly leaves the release decision to developers, "
                            "partly because regulators lack the expertise to judge frontier "
                            "models quickly."
                        ),
                        "author": "ada",
                        "elaboration": "",
                        "cite": [
                            {
                                "source": "us-ai-action-plan",
                                "quote": (
                                    "the decision of whether and how to release an open or "
                                    "closed model is fundamentally up to the developer"
                                ),
                                "locator": "Pillar I",
                            }
                        ],
                        "children": [
                            {
                                "key": "capacity-can-grow",
                                "stance": "con",
                                "text": (
                                    "That capacity can be built: under the EU AI Act the "
                                    "Commission can designate a model as systemic-risk on its "
                                    "own initiative or after a scientific panel's alert."
                                ),
                                "author": "chen",
                                "elaboration": "",
                                "cite": [
                                    {
                                        "source": "eu-ai-act",
                                        "quote": (
                                            "based on a decision of the Commission, ex officio "
                                            "or following a qualified alert from the scientific "
                                            "panel"
                                        ),
                                        "locator": "Art. 51(1)(b)",
                                    }
                                ],
                                "children": [],
                            }
                        ],
                    },
                    {
                        "key": "borders",
                        "stance": "con",
                        "text": (
                            "A national regulator's verdict is easy to sidestep, because weights "
                            "published anywhere can be downloaded everywhere within hours."
                        ),
                        "author": "ben",
                        "elaboration": "",
                        "cite": [],
                        "children": [
                            {
                                "key": "coordination-precedent",
                                "stance": "con",
                                "text": (
                                    "International coordination has precedents in export "
                                    "controls and nuclear safeguards; imperfect enforcement is "
                                    "still better than none."
                                ),
                                "author": "chen",
                                "elaboration": "",
                                "cite": [],
                                "children": [],
                            }
                        ],
                    },
                    {
                        "key": "middle-paths",
                        "stance": "pro",
                        "text": (
                            "Independent evaluators make middle paths such as staged release or "
                            "gated access workable, instead of a binary choice between open and "
                            "closed."
                        ),
                        "author": "ada",
                        "elaboration": "",
                        "cite": [
                            {
                                "source": "seger-open-sourcing",
                                "quote": (
                                    "recommendations for developers, standard-setting bodies, "
                                    "and governments for establishing safe and responsible "
                                    "model sharing practices"
                                ),
                                "locator": "Abstract",
                            }
                        ],
                        "children": [],
                    },
                ],
            },
        ],
        "links": [
            {"claim": "borders", "parent": "compute-line", "stance": "con"},
        ],
    },
    {
        "slug": "open-source-label",
        "tags": ["Open source", "Licensing"],
        "title": "Is 'open-source' the right word for open-weight models?",
        "description": (
            "Meta, Mistral, Alibaba and others publish model weights, and these models are often "
            "called open source. Critics note that the training data and much of the code stay "
            "private, and the Open Source Initiative published its own **Open Source AI "
            "Definition** in 2024. Is the everyday label fair, or misleading?"
        ),
        "author": "chen",
        "theses": [
            {
                "key": "label-fair",
                "text": (
                    "'Open source' is a fair name for AI models whose weights anyone can download."
                ),
                "author": "ben",
                "children": [
                    {
                        "key": "osaid-requires-more",
                        "stance": "con",
                        "text": (
                            "The OSI's Open Source AI Definition requires detailed data "
                            "information and the full training code as well as the weights, so "
                            "most open-weight models do not qualify."
                        ),
                        "author": "chen",
                        "elaboration": "",
                        "cite": [
                            {
                                "source": "osaid",
                                "quote": (
                                    "Sufficiently detailed information about the data used to "
                                    "train the system so that a skilled person can build a "
                                    "substantially equivalent system"
                                ),
                                "locator": "Data Information",
                            }
                        ],
                        "children": [
                            {
                                "key": "osaid-compromise",
                                "stance": "con",
                                "text": (
                                    "The OSI definition itself asks only for a description of "
                                    "the training data, not the data, so even the official line "
                                    "is a compromise."
                                ),
                                "author": "ben",
                                "elaboration": "",
                                "cite": [
                                    {
                                        "source": "osaid",
                                        "quote": (
                                            "Paraphrase: data information, rather than the "
                                            "training dataset itself, is what must be provided."
                                        ),
                                        "locator": "Preferred form to make modifications",
                                    }
                                ],
                                "children": [
                                    {
                                        "key": "description-suffices",
                                        "stance": "con",
                                        "text": (
                                            "A thorough data description still lets others build "
                                            "a comparable system; a bare weights file offers "
                                            "nothing of the kind."
                                        ),
                                        "author": "chen",
                                        "elaboration": "",
                                        "cite": [],
                                        "children": [],
                                    }
                                ],
                            }
                        ],
                    },
                    {
                        "key": "licence-discriminates",
                        "stance": "con",
                        "text": (
                            "Licences such as Llama's restrict certain users and uses, breaking "
                            "open source's long-standing rule against discriminating by person "
                            "or field of endeavour."
                        ),
                        "author": "chen",
                        "elaboration": "",
                        "cite": [
                            {
                                "source": "osi-llama2-license",
                                "quote": (
                                    "it may not discriminate against persons or groups or "
                                    "fields of endeavor"
                                ),
                                "locator": "OSD points 5 and 6",
                            }
                        ],
                        "children": [
                            {
                                "key": "apache-models",
                                "stance": "con",
                                "text": (
                                    "Not every open-weight model comes with such strings: "
                                    "Mistral 7B was released under the standard Apache 2.0 "
                                    "licence."
                                ),
                                "author": "ben",
                                "elaboration": "",
                                "cite": [
                                    {
                                        "source": "mistral-7b",
                                        "quote": "released under the Apache 2.0 license",
                                        "locator": "Abstract",
                                    }
                                ],
                                "children": [
                                    {
                                        "key": "licence-not-enough",
                                        "stance": "con",
                                        "text": (
                                            "A permissive licence on the weights does not change "
                                            "the fact that the data and training pipeline stay "
                                            "private."
                                        ),
                                        "author": "chen",
                                        "elaboration": "",
                                        "cite": [],
                                        "children": [],
                                    }
                                ],
                            }
                        ],
                    },
                    {
                        "key": "weights-are-source",
                        "stance": "pro",
                        "text": (
                            "Weights are what users actually change: fine-tuning them is the "
                            "practical equivalent of editing source code."
                        ),
                        "author": "ben",
                        "elaboration": "",
                        "cite": [],
                        "children": [
                            {
                                "key": "binary-patching",
                                "stance": "con",
                                "text": (
                                    "Fine-tuning is closer to patching a compiled binary than "
                                    "editing source: it alters behaviour without showing why "
                                    "the model behaves as it does."
                                ),
                                "author": "chen",
                                "elaboration": "",
                                "cite": [],
                                "children": [],
                            }
                        ],
                    },
                    {
                        "key": "eu-law-usage",
                        "stance": "pro",
                        "text": (
                            "EU law already calls models 'free and open-source' when their "
                            "weights, architecture and usage information are public under a "
                            "licence that allows reuse."
                        ),
                        "author": "ada",
                        "elaboration": "",
                        "cite": [
                            {
                                "source": "eu-ai-act",
                                "quote": (
                                    "should be considered to ensure high levels of transparency "
                                    "and openness if their parameters, including the weights "
                                    "... are made publicly available"
                                ),
                                "locator": "Recital 102",
                            }
                        ],
                        "children": [
                            {
                                "key": "eu-admits-gap",
                                "stance": "con",
                                "text": (
                                    "The same law concedes that such releases need not reveal "
                                    "the training data, and keeps a training-content duty for "
                                    "them."
                                ),
                                "author": "chen",
                                "elaboration": "",
                                "cite": [
                                    {
                                        "source": "eu-ai-act",
                                        "quote": (
                                            "does not necessarily reveal substantial information "
                                            "on the data set used for the training"
                                        ),
                                        "locator": "Recital 104",
                                    }
                                ],
                                "children": [],
                            }
                        ],
                    },
                    {
                        "key": "developers-avoid-term",
                        "stance": "con",
                        "text": (
                            "Developers themselves increasingly avoid the term: Alibaba calls "
                            "its Qwen2.5 releases open-weight and Google calls Gemma a family "
                            "of open models."
                        ),
                        "author": "ada",
                        "elaboration": "",
                        "cite": [
                            {
                                "source": "qwen2-5",
                                "quote": (
                                    "Open-weight offerings include base and "
                                    "instruction-tuned models"
                                ),
                                "locator": "Abstract",
                            },
                            {
                                "source": "gemma",
                                "quote": "a family of lightweight, state-of-the art open models",
                                "locator": "Abstract",
                            },
                        ],
                        "children": [],
                    },
                    {
                        "key": "common-usage",
                        "stance": "pro",
                        "text": (
                            "Words follow usage, and 'open-source AI' is already the widely "
                            "understood shorthand; a new term would confuse more than it "
                            "clarifies."
                        ),
                        "author": "ben",
                        "elaboration": "",
                        "cite": [],
                        "children": [
                            {
                                "key": "openwashing",
                                "stance": "con",
                                "text": (
                                    "Loose usage lets companies collect the goodwill and the "
                                    "regulatory relief that come with open source without "
                                    "providing the openness that earns them."
                                ),
                                "author": "chen",
                                "elaboration": "",
                                "cite": [
                                    {
                                        "source": "widder-open-ai",
                                        "quote": (
                                            "rhetoric around 'open' AI is frequently wielded in "
                                            "ways that exacerbate rather than reduce "
                                            "concentration of power"
                                        ),
                                        "locator": "Abstract",
                                    }
                                ],
                                "children": [
                                    {
                                        "key": "law-checks-terms",
                                        "stance": "con",
                                        "text": (
                                            "Regulatory relief depends on legal conditions, not "
                                            "marketing: the EU AI Act's open-source exemption "
                                            "turns on licence terms and published parameters."
                                        ),
                                        "author": "ada",
                                        "elaboration": "",
                                        "cite": [
                                            {
                                                "source": "eu-ai-act",
                                                "quote": (
                                                    "released under a free and open licence "
                                                    "that allows for the access, usage, "
                                                    "modification, and distribution of the model"
                                                ),
                                                "locator": "Art. 53(2)",
                                            }
                                        ],
                                        "children": [],
                                    }
                                ],
                            }
                        ],
                    },
                ],
            }
        ],
        "links": [
            {"claim": "osaid-requires-more", "parent": "common-usage", "stance": "con"},
        ],
    },
    FRENCH_DEBATE,  # written in French for French readers: arguments/demo/french.py
]
