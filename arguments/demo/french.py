"""The demo debate written in French for French readers: the open-weight AI question argued
with French and European references (Mistral AI, BLOOM and the Jean Zay supercomputer, the
Commission de l'intelligence artificielle, the ANSSI, the AI Act). Not a translation of the
English debate: its own claims, in the same data shape as `arguments.demo.debates` (which adds
`FRENCH_SOURCES` to its sources and `FRENCH_DEBATE` to its debates). Quotes of English documents
stay in English; paraphrases are marked as such.
"""

from __future__ import annotations

FRENCH_SOURCES: dict[str, dict[str, str]] = {
    "eu-ai-act-fr": {
        "url": "https://eur-lex.europa.eu/legal-content/FR/TXT/?uri=CELEX:32024R1689",
        "title": "Règlement (UE) 2024/1689 établissant des règles harmonisées "
        "concernant l'intelligence artificielle (règlement sur "
        "l'intelligence artificielle)",
        "author": "",
        "publisher": "Parlement européen et Conseil de l'Union européenne",
        "published": "2024-07-12",
        "kind": "law",
    },
    "commission-ia-2024": {
        "url": "https://www.info.gouv.fr/actualite/25-recommandations-pour-lia-en-france",
        "title": "IA : notre ambition pour la France",
        "author": "Commission de l'intelligence artificielle (Anne Bouverot, Philippe Aghion)",
        "publisher": "Gouvernement français",
        "published": "2024-03-13",
        "kind": "other",
    },
    "anssi-ia-generative": {
        "url": "https://cyber.gouv.fr/publications/recommandations-de-securite-pour-un-systeme-dia-generative",
        "title": "Recommandations de sécurité pour un système d'IA générative",
        "author": "",
        "publisher": "Agence nationale de la sécurité des systèmes d'information (ANSSI)",
        "published": "2024-04-29",
        "kind": "other",
    },
    "bloom": {
        "url": "https://arxiv.org/abs/2211.05100",
        "title": "BLOOM: A 176B-Parameter Open-Access Multilingual Language Model",
        "author": "BigScience Workshop",
        "publisher": "arXiv",
        "published": "2022-11-09",
        "kind": "paper",
    },
}

FRENCH_DEBATE: dict = {
    "slug": "ia-poids-ouverts",
    "language": "fr",
    "tags": ["Politique de l'IA", "Logiciel libre", "Sûreté de l'IA"],
    "divided": {
        "fr-irreversible": [4, 0, 4, 1, 3],
        "fr-souverainete": [1, 4, 0, 4, 2],
        "fr-strategie": [3, 1, 4, 0, 2],
    },
    "title": "Faut-il publier librement les poids des modèles d'IA les plus puissants ?",
    "description": "Mistral AI, Hugging Face et BLOOM ont fait de la France un acteur des modèles "
    "ouverts, tandis que **Llama**, **Qwen** ou **DeepSeek R1** suivent désormais "
    "les meilleurs systèmes propriétaires à quelques mois près. Publier les poids "
    "d'un modèle permet à chacun de le télécharger, de l'adapter et de l'héberger "
    "chez soi, mais une publication ne se reprend pas. Ce débat met en balance "
    "souveraineté, recherche et diversité linguistique d'un côté, mésusage et "
    "prolifération de l'autre, à la lumière de l'**AI Act** européen et du Sommet "
    "pour l'action sur l'IA tenu à Paris en février 2025.",
    "author": "ben",
    "theses": [
        {
            "key": "fr-t1",
            "text": "Les développeurs devraient publier librement les poids de leurs modèles "
            "d'IA les plus puissants.",
            "author": "ben",
            "children": [
                {
                    "key": "fr-souverainete",
                    "stance": "pro",
                    "text": "Des modèles aux poids ouverts évitent à l'Europe de "
                    "dépendre de quelques fournisseurs américains ou chinois "
                    "pour une technologie aussi structurante que l'électricité.",
                    "author": "ben",
                    "elaboration": "La Commission de l'intelligence artificielle, dans "
                    "son rapport de mars 2024, compare l'IA à "
                    "l'électricité et fait de la maîtrise de la "
                    "technologie une question de souveraineté. Un modèle "
                    "dont on détient les poids ne peut être ni retiré ni "
                    "renchéri par son fournisseur.",
                    "cite": [
                        {
                            "source": "commission-ia-2024",
                            "quote": "Paraphrase : l'IA est une technologie "
                            "habilitante comparable à l'électricité ; "
                            "l'ignorer, c'est laisser sa valeur être captée "
                            "par des acteurs étrangers.",
                            "locator": "Introduction",
                        }
                    ],
                    "children": [
                        {
                            "key": "fr-souv-calcul",
                            "stance": "con",
                            "text": "Télécharger des poids ne rend pas souverain "
                            ": sans puissance de calcul en Europe, on "
                            "reste locataire des processeurs graphiques "
                            "et des clouds américains.",
                            "author": "chen",
                            "elaboration": "Entraîner, affiner et surtout faire "
                            "tourner un grand modèle pour des "
                            "millions d'usagers demande des "
                            "centres de données que l'Europe "
                            "possède peu.",
                            "cite": [
                                {
                                    "source": "commission-ia-2024",
                                    "quote": "Paraphrase : faire de la France "
                                    "et de l'Europe un pôle majeur de "
                                    "la puissance de calcul, à court "
                                    "comme à moyen terme.",
                                    "locator": "Recommandations prioritaires",
                                }
                            ],
                            "children": [
                                {
                                    "key": "fr-souv-jean-zay",
                                    "stance": "con",
                                    "text": "La puissance publique sait "
                                    "mutualiser le calcul : BLOOM a "
                                    "été entraîné sur le "
                                    "supercalculateur public Jean "
                                    "Zay puis publié en accès "
                                    "ouvert.",
                                    "author": "ben",
                                    "elaboration": "Le projet BigScience, "
                                    "coordonné par Hugging "
                                    "Face avec le CNRS et "
                                    "GENCI, a réuni plus "
                                    "d'un millier de "
                                    "chercheurs autour d'un "
                                    "modèle multilingue de "
                                    "176 milliards de "
                                    "paramètres.",
                                    "cite": [
                                        {
                                            "source": "bloom",
                                            "quote": "46 natural and 13 programming languages",
                                            "locator": "Abstract",
                                        }
                                    ],
                                    "children": [
                                        {
                                            "key": "fr-bloom-limite",
                                            "stance": "con",
                                            "text": "BLOOM montre "
                                            "aussi la limite "
                                            "d'un effort "
                                            "public ponctuel "
                                            ": à peine "
                                            "publié, il était "
                                            "dépassé par des "
                                            "modèles privés "
                                            "entraînés avec "
                                            "des moyens bien "
                                            "supérieurs.",
                                            "author": "chen",
                                            "elaboration": "Un "
                                            "supercalculateur "
                                            "partagé "
                                            "entre "
                                            "toutes "
                                            "les "
                                            "disciplines "
                                            "ne suit "
                                            "pas le "
                                            "rythme "
                                            "d'entreprises "
                                            "qui "
                                            "renouvellent "
                                            "leurs "
                                            "modèles "
                                            "tous les "
                                            "quelques "
                                            "mois.",
                                            "cite": [],
                                            "children": [],
                                        }
                                    ],
                                },
                                {
                                    "key": "fr-souv-hebergement",
                                    "stance": "con",
                                    "text": "Même sans calcul géant, un "
                                    "modèle ouvert peut tourner sur "
                                    "des serveurs hébergés en "
                                    "France, ce qu'aucune API "
                                    "étrangère ne permet pour des "
                                    "données sensibles.",
                                    "author": "ada",
                                    "elaboration": "Un hôpital, une "
                                    "collectivité ou un "
                                    "ministère peut garder "
                                    "ses données chez un "
                                    "hébergeur qualifié au "
                                    "lieu de les envoyer à "
                                    "un service soumis à un "
                                    "droit étranger.",
                                    "cite": [
                                        {
                                            "source": "ntia-open-weights",
                                            "quote": "enable users to "
                                            "leverage models "
                                            "without sharing "
                                            "data with third "
                                            "parties",
                                            "locator": "Executive Summary",
                                        }
                                    ],
                                    "children": [],
                                },
                            ],
                        },
                        {
                            "key": "fr-souv-licence",
                            "stance": "con",
                            "text": "« Ouvert » ne garantit pas l'accès : la "
                            "licence des modèles multimodaux Llama 3.2 "
                            "refusait ses droits aux entreprises établies "
                            "dans l'Union européenne.",
                            "author": "chen",
                            "elaboration": "Un modèle dont la licence peut "
                            "exclure un continent entier donne une "
                            "dépendance d'un autre genre, pas une "
                            "souveraineté.",
                            "cite": [
                                {
                                    "source": "osi-llama2-license",
                                    "quote": "it may not discriminate against "
                                    "persons or groups or fields of "
                                    "endeavor",
                                    "locator": "OSD points 5 and 6",
                                }
                            ],
                            "children": [
                                {
                                    "key": "fr-licence-apache",
                                    "stance": "con",
                                    "text": "Raison de plus pour exiger des "
                                    "licences vraiment libres : "
                                    "Mistral 7B est publié sous "
                                    "licence Apache 2.0, sans "
                                    "restriction d'usage ni de "
                                    "territoire.",
                                    "author": "ada",
                                    "elaboration": "",
                                    "cite": [
                                        {
                                            "source": "mistral-7b",
                                            "quote": "released under the Apache 2.0 license",
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
                    "key": "fr-ecosysteme",
                    "stance": "pro",
                    "text": "Les poids ouverts ont fait naître un écosystème européen : "
                    "des entreprises comme Mistral AI ou Hugging Face et des "
                    "laboratoires publics adaptent et diffusent des modèles "
                    "sans demander la permission à personne.",
                    "author": "ada",
                    "elaboration": "Un modèle de 7 milliards de paramètres publié par "
                    "une jeune entreprise parisienne a rivalisé avec des "
                    "modèles deux fois plus gros ; des milliers de "
                    "variantes affinées circulent depuis.",
                    "cite": [
                        {
                            "source": "mistral-7b",
                            "quote": "Mistral 7B outperforms Llama 2 13B across all "
                            "evaluated benchmarks",
                            "locator": "Abstract",
                        }
                    ],
                    "children": [
                        {
                            "key": "fr-eco-mistral-ferme",
                            "stance": "con",
                            "text": "Les champions européens ferment eux-mêmes "
                            "leurs meilleurs modèles : Mistral a gardé "
                            "son modèle le plus puissant propriétaire et "
                            "s'est allié à Microsoft.",
                            "author": "chen",
                            "elaboration": "L'accord de février 2024 a été "
                            "annoncé juste après que la France a "
                            "obtenu un traitement plus souple des "
                            "modèles ouverts dans l'AI Act, ce qui "
                            "a fait grincer des dents au Parlement "
                            "européen.",
                            "cite": [
                                {
                                    "source": "widder-open-ai",
                                    "quote": "openness alone does not perturb "
                                    "the concentration of power in AI",
                                    "locator": "Abstract",
                                }
                            ],
                            "children": [
                                {
                                    "key": "fr-eco-strategie",
                                    "stance": "con",
                                    "text": "Une stratégie mixte n'annule "
                                    "pas le bénéfice : les modèles "
                                    "publiés restent "
                                    "téléchargeables, réutilisables "
                                    "et améliorables par tous, quoi "
                                    "que fasse ensuite "
                                    "l'entreprise.",
                                    "author": "ben",
                                    "elaboration": "",
                                    "cite": [
                                        {
                                            "source": "kapoor-open-fms",
                                            "quote": "significant "
                                            "benefits, with some "
                                            "caveats, that span "
                                            "innovation, "
                                            "competition, the "
                                            "distribution of "
                                            "decision-making "
                                            "power, and "
                                            "transparency",
                                            "locator": "Abstract",
                                        }
                                    ],
                                    "children": [],
                                }
                            ],
                        },
                        {
                            "key": "fr-eco-chercheurs",
                            "stance": "pro",
                            "text": "Universités et laboratoires publics, qui "
                            "n'ont pas les budgets des géants du "
                            "numérique, peuvent étudier et adapter des "
                            "modèles de pointe pour quelques milliers "
                            "d'euros.",
                            "author": "ben",
                            "elaboration": "",
                            "cite": [
                                {
                                    "source": "ntia-open-weights",
                                    "quote": "They diversify and expand the "
                                    "array of actors, including less "
                                    "resourced actors",
                                    "locator": "Executive Summary",
                                }
                            ],
                            "children": [],
                        },
                    ],
                },
                {
                    "key": "fr-transparence",
                    "stance": "pro",
                    "text": "Des poids publics peuvent être audités par des chercheurs "
                    "indépendants ; avec un modèle fermé, il faut croire sur "
                    "parole l'entreprise qui le vend.",
                    "author": "chen",
                    "elaboration": "Tester les biais, mesurer les erreurs ou chercher "
                    "des portes dérobées demande d'avoir le modèle en "
                    "main, pas seulement une interface limitée en "
                    "requêtes.",
                    "cite": [
                        {
                            "source": "kapoor-open-fms",
                            "quote": "we design a risk assessment framework for "
                            "analyzing their marginal risk",
                            "locator": "Abstract",
                        }
                    ],
                    "children": [
                        {
                            "key": "fr-transp-donnees",
                            "stance": "con",
                            "text": "Les poids seuls ne disent presque rien des "
                            "données d'entraînement : on ne peut vérifier "
                            "ni le respect du droit d'auteur ni la "
                            "présence de données personnelles.",
                            "author": "chen",
                            "elaboration": "Or ce sont précisément les deux "
                            "questions que posent en Europe les "
                            "ayants droit et la CNIL.",
                            "cite": [
                                {
                                    "source": "eu-ai-act",
                                    "quote": "does not necessarily reveal "
                                    "substantial information on the "
                                    "data set used for the training",
                                    "locator": "Recital 104",
                                }
                            ],
                            "children": [
                                {
                                    "key": "fr-transp-resume",
                                    "stance": "con",
                                    "text": "L'AI Act comble en partie ce "
                                    "manque : même exemptés, les "
                                    "fournisseurs de modèles "
                                    "ouverts doivent publier un "
                                    "résumé des contenus utilisés "
                                    "pour l'entraînement.",
                                    "author": "ada",
                                    "elaboration": "",
                                    "cite": [
                                        {
                                            "source": "eu-ai-act-fr",
                                            "quote": "Paraphrase : "
                                            "l'exception "
                                            "accordée aux "
                                            "modèles sous "
                                            "licence libre ne "
                                            "dispense pas de "
                                            "publier un résumé "
                                            "suffisamment "
                                            "détaillé du contenu "
                                            "utilisé pour "
                                            "l'entraînement.",
                                            "locator": "Considérant 104 ; "
                                            "art. 53, par. 1, "
                                            "point d), et par. "
                                            "2",
                                        }
                                    ],
                                    "children": [
                                        {
                                            "key": "fr-resume-insuffisant",
                                            "stance": "con",
                                            "text": "Un résumé rédigé "
                                            "par le "
                                            "fournisseur "
                                            "reste une "
                                            "déclaration, pas "
                                            "une vérification "
                                            ": il ne permet "
                                            "pas à un tiers "
                                            "de reconstruire "
                                            "ni de contrôler "
                                            "le corpus.",
                                            "author": "chen",
                                            "elaboration": "La "
                                            "définition "
                                            "de l'IA "
                                            "open "
                                            "source de "
                                            "l'Open "
                                            "Source "
                                            "Initiative "
                                            "exige "
                                            "davantage "
                                            ": de quoi "
                                            "reconstruire "
                                            "un "
                                            "système "
                                            "substantiellement "
                                            "équivalent.",
                                            "cite": [
                                                {
                                                    "source": "osaid",
                                                    "quote": "Sufficiently "
                                                    "detailed "
                                                    "information "
                                                    "about "
                                                    "the "
                                                    "data "
                                                    "used "
                                                    "to "
                                                    "train "
                                                    "the "
                                                    "system "
                                                    "so "
                                                    "that "
                                                    "a "
                                                    "skilled "
                                                    "person "
                                                    "can "
                                                    "build "
                                                    "a "
                                                    "substantially "
                                                    "equivalent "
                                                    "system",
                                                    "locator": "Data Information",
                                                }
                                            ],
                                            "children": [],
                                        }
                                    ],
                                }
                            ],
                        },
                        {
                            "key": "fr-transp-administration",
                            "stance": "pro",
                            "text": "Pour un service public, pouvoir inspecter et "
                            "héberger le modèle est une condition de "
                            "confiance : l'ANSSI demande d'évaluer chaque "
                            "composant tiers d'un système d'IA générative "
                            "avant de l'intégrer.",
                            "author": "ben",
                            "elaboration": "Un modèle fermé, servi par une API, "
                            "est une boîte noire que "
                            "l'administration ne peut ni évaluer "
                            "en profondeur ni isoler de "
                            "l'extérieur.",
                            "cite": [
                                {
                                    "source": "anssi-ia-generative",
                                    "quote": "Paraphrase : évaluer le niveau de "
                                    "fiabilité des bibliothèques, "
                                    "modules externes et sources de "
                                    "données avant de les intégrer à "
                                    "un système d'IA générative.",
                                    "locator": "",
                                }
                            ],
                            "children": [],
                        },
                    ],
                },
                {
                    "key": "fr-diversite-linguistique",
                    "stance": "pro",
                    "text": "Les modèles ouverts peuvent être adaptés aux langues et "
                    "aux cultures que les grands fournisseurs négligent : "
                    "langues régionales, créoles, langues africaines de la "
                    "francophonie.",
                    "author": "ada",
                    "elaboration": "BLOOM a été conçu dès le départ pour des dizaines "
                    "de langues, dont beaucoup sont absentes des grands "
                    "modèles commerciaux.",
                    "cite": [
                        {
                            "source": "bloom",
                            "quote": "46 natural and 13 programming languages",
                            "locator": "Abstract",
                        }
                    ],
                    "children": [
                        {
                            "key": "fr-ling-fermes",
                            "stance": "con",
                            "text": "Les modèles fermés parlent déjà très bien "
                            "français : l'argument vaut pour les petites "
                            "langues, pas pour la plupart des usages en "
                            "France.",
                            "author": "chen",
                            "elaboration": "",
                            "cite": [],
                            "children": [
                                {
                                    "key": "fr-ling-usages",
                                    "stance": "con",
                                    "text": "Au-delà de la langue, c'est le "
                                    "contexte qui compte : droit "
                                    "français, programmes "
                                    "scolaires, vocabulaire "
                                    "administratif. Un modèle "
                                    "ouvert peut être affiné sur "
                                    "ces corpus, un modèle fermé ne "
                                    "le permet qu'à ses conditions.",
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
                    "key": "fr-resilience",
                    "stance": "pro",
                    "text": "Un écosystème de modèles ouverts ne peut pas être coupé du "
                    "jour au lendemain par un changement de politique "
                    "commerciale ou une décision prise à Washington ou à Pékin.",
                    "author": "ben",
                    "elaboration": "Les modèles déjà téléchargés continuent de "
                    "fonctionner, quoi qu'il arrive à leur éditeur.",
                    "cite": [
                        {
                            "source": "us-ai-action-plan",
                            "quote": "they also have geostrategic value",
                            "locator": "Pillar I, open-source and open-weight AI",
                        }
                    ],
                    "children": [
                        {
                            "key": "fr-resil-dependance",
                            "stance": "con",
                            "text": "La résilience est relative : les modèles "
                            "ouverts les plus utilisés viennent encore de "
                            "quelques entreprises américaines et "
                            "chinoises, dont l'Europe attend chaque "
                            "nouvelle version.",
                            "author": "chen",
                            "elaboration": "",
                            "cite": [],
                            "children": [],
                        }
                    ],
                },
                {
                    "key": "fr-irreversible",
                    "stance": "con",
                    "text": "Une fois publiés, des poids ne peuvent plus être retirés : "
                    "si un défaut grave apparaît, aucun rappel n'est possible.",
                    "author": "chen",
                    "elaboration": "Un service en ligne peut être corrigé ou fermé en "
                    "une heure ; des fichiers copiés sur des milliers de "
                    "machines, jamais.",
                    "cite": [
                        {
                            "source": "kapoor-open-fms",
                            "quote": "Paraphrase: lists the inability to rescind "
                            "weights once released among the distinctive "
                            "properties of open models.",
                            "locator": "",
                        }
                    ],
                    "children": [
                        {
                            "key": "fr-irr-gardefous",
                            "stance": "pro",
                            "text": "Les garde-fous d'un modèle ouvert sautent en "
                            "quelques heures d'affinage, pour moins de "
                            "deux cents dollars.",
                            "author": "chen",
                            "elaboration": "",
                            "cite": [
                                {
                                    "source": "badllama",
                                    "quote": "it is possible to effectively "
                                    "undo the safety fine-tuning from "
                                    "Llama 2-Chat 13B with less than "
                                    "$200",
                                    "locator": "Abstract",
                                }
                            ],
                            "children": [
                                {
                                    "key": "fr-gardefous-recherche",
                                    "stance": "con",
                                    "text": "La recherche progresse sur des "
                                    "protections qui résistent à "
                                    "l'affinage, et elle a besoin "
                                    "de modèles ouverts pour les "
                                    "mettre à l'épreuve.",
                                    "author": "ada",
                                    "elaboration": "",
                                    "cite": [
                                        {
                                            "source": "tamper-resistant",
                                            "quote": "adversaries cannot "
                                            "remove the "
                                            "safeguards even "
                                            "after hundreds of "
                                            "steps of "
                                            "fine-tuning",
                                            "locator": "Abstract",
                                        }
                                    ],
                                    "children": [
                                        {
                                            "key": "fr-gardefous-fragile",
                                            "stance": "con",
                                            "text": "Ces protections "
                                            "restent "
                                            "expérimentales : "
                                            "on ne peut pas "
                                            "fonder une "
                                            "décision "
                                            "irréversible sur "
                                            "un résultat de "
                                            "laboratoire que "
                                            "la prochaine "
                                            "attaque "
                                            "contournera "
                                            "peut-être.",
                                            "author": "chen",
                                            "elaboration": "Les mêmes "
                                            "auteurs "
                                            "rappellent "
                                            "que les "
                                            "protections "
                                            "habituelles "
                                            "tombent "
                                            "en "
                                            "quelques "
                                            "pas "
                                            "d'affinage.",
                                            "cite": [
                                                {
                                                    "source": "tamper-resistant",
                                                    "quote": "refusal "
                                                    "and "
                                                    "unlearning "
                                                    "safeguards "
                                                    "can "
                                                    "be "
                                                    "trivially "
                                                    "removed "
                                                    "with "
                                                    "a few "
                                                    "steps "
                                                    "of "
                                                    "fine-tuning",
                                                    "locator": "Abstract",
                                                }
                                            ],
                                            "children": [],
                                        }
                                    ],
                                }
                            ],
                        },
                        {
                            "key": "fr-irr-marginal",
                            "stance": "con",
                            "text": "Ce qui compte est le risque marginal : ce "
                            "qu'un modèle ouvert permet de plus "
                            "qu'internet et les modèles fermés. Les "
                            "études disponibles ne le montrent pas élevé.",
                            "author": "ben",
                            "elaboration": "Un exercice de la RAND n'a trouvé "
                            "aucune différence significative entre "
                            "des plans d'attaque biologique "
                            "préparés avec ou sans l'aide d'un "
                            "modèle de langage.",
                            "cite": [
                                {
                                    "source": "rand-bio-red-team",
                                    "quote": "no statistically significant "
                                    "difference in the viability of "
                                    "plans generated with or without "
                                    "LLM assistance",
                                    "locator": "Key findings",
                                },
                                {
                                    "source": "kapoor-open-fms",
                                    "quote": "current research is insufficient "
                                    "to effectively characterize the "
                                    "marginal risk of open foundation "
                                    "models relative to pre-existing "
                                    "technologies",
                                    "locator": "Abstract",
                                },
                            ],
                            "children": [
                                {
                                    "key": "fr-marginal-futur",
                                    "stance": "con",
                                    "text": "Ce qui vaut pour les modèles "
                                    "d'hier ne vaut pas pour ceux "
                                    "de demain : l'écart se referme "
                                    "en quelques mois, et la "
                                    "question est de savoir où "
                                    "placer le seuil.",
                                    "author": "chen",
                                    "elaboration": "",
                                    "cite": [
                                        {
                                            "source": "seger-open-sourcing",
                                            "quote": "it also presents a "
                                            "growing potential "
                                            "for misuse and "
                                            "unintended "
                                            "consequences",
                                            "locator": "Abstract",
                                        },
                                        {
                                            "source": "epoch-open-gap",
                                            "quote": "Frontier "
                                            "open-weight models "
                                            "lag behind the most "
                                            "capable models by "
                                            "an average of 3 "
                                            "months",
                                            "locator": "",
                                        },
                                    ],
                                    "children": [],
                                }
                            ],
                        },
                    ],
                },
                {
                    "key": "fr-surete-retard",
                    "stance": "con",
                    "text": "La recherche en sûreté se fait surtout dans les "
                    "laboratoires des modèles fermés ; publier des modèles "
                    "puissants sans protections équivalentes, c'est aller plus "
                    "vite que nos propres garde-fous.",
                    "author": "chen",
                    "elaboration": "",
                    "cite": [
                        {
                            "source": "seger-open-sourcing",
                            "quote": "open-sourcing may pose sufficiently extreme "
                            "risks to outweigh the benefits",
                            "locator": "Abstract",
                        }
                    ],
                    "children": [
                        {
                            "key": "fr-surete-labos-publics",
                            "stance": "con",
                            "text": "L'accès ouvert multiplie au contraire les "
                            "équipes de sûreté : des laboratoires publics "
                            "européens peuvent étudier les modèles de "
                            "l'intérieur, ce qu'aucune API ne permet.",
                            "author": "ada",
                            "elaboration": "",
                            "cite": [
                                {
                                    "source": "llama-2",
                                    "quote": "a detailed description of our "
                                    "approach to fine-tuning and "
                                    "safety improvements ... to enable "
                                    "the community to build on our "
                                    "work",
                                    "locator": "Abstract",
                                }
                            ],
                            "children": [],
                        }
                    ],
                },
                {
                    "key": "fr-strategie",
                    "stance": "con",
                    "text": "L'ouverture est souvent une stratégie d'entreprise plus "
                    "qu'un idéal : Meta gagne à banaliser les modèles tant "
                    "qu'il possède les plateformes et les données.",
                    "author": "ben",
                    "elaboration": "",
                    "cite": [
                        {
                            "source": "zuckerberg-open-source",
                            "quote": "Paraphrase: unlike closed providers, Meta does "
                            "not rely on selling model access, so openness "
                            "does not undercut its revenue.",
                            "locator": "",
                        }
                    ],
                    "children": [
                        {
                            "key": "fr-strat-peu-importe",
                            "stance": "con",
                            "text": "Les motivations importent peu si le résultat "
                            "profite à tous : un modèle publié reste "
                            "disponible même si l'entreprise change "
                            "d'avis.",
                            "author": "ada",
                            "elaboration": "",
                            "cite": [],
                            "children": [],
                        },
                        {
                            "key": "fr-strat-openwashing",
                            "stance": "pro",
                            "text": "Le mot « ouvert » sert aussi à obtenir des "
                            "allègements réglementaires : l'AI Act "
                            "exempte en partie les modèles publiés sous "
                            "licence libre.",
                            "author": "chen",
                            "elaboration": "",
                            "cite": [
                                {
                                    "source": "eu-ai-act",
                                    "quote": "released under a free and open "
                                    "licence that allows for the "
                                    "access, usage, modification, and "
                                    "distribution of the model",
                                    "locator": "Art. 53(2)",
                                }
                            ],
                            "children": [
                                {
                                    "key": "fr-openwashing-seuil",
                                    "stance": "con",
                                    "text": "L'exemption a une limite nette "
                                    ": elle ne vaut pas pour les "
                                    "modèles à risque systémique, "
                                    "présumés tels au-delà de 10^25 "
                                    "opérations d'entraînement.",
                                    "author": "ada",
                                    "elaboration": "",
                                    "cite": [
                                        {
                                            "source": "eu-ai-act",
                                            "quote": "This exception "
                                            "shall not apply to "
                                            "general-purpose AI "
                                            "models with "
                                            "systemic risks.",
                                            "locator": "Art. 53(2)",
                                        },
                                        {
                                            "source": "eu-ai-act-fr",
                                            "quote": "Paraphrase : un "
                                            "modèle est présumé "
                                            "avoir des capacités "
                                            "à fort impact "
                                            "lorsque le calcul "
                                            "utilisé pour son "
                                            "entraînement "
                                            "dépasse 10^25 "
                                            "opérations en "
                                            "virgule flottante.",
                                            "locator": "Art. 51, par. 2",
                                        },
                                    ],
                                    "children": [
                                        {
                                            "key": "fr-seuil-contourne",
                                            "stance": "con",
                                            "text": "Un seuil de "
                                            "calcul vieillit "
                                            "vite : DeepSeek "
                                            "a montré qu'on "
                                            "pouvait "
                                            "distiller des "
                                            "capacités de "
                                            "pointe dans des "
                                            "modèles bien "
                                            "plus petits, qui "
                                            "passent sous la "
                                            "barre.",
                                            "author": "chen",
                                            "elaboration": "",
                                            "cite": [
                                                {
                                                    "source": "deepseek-r1",
                                                    "quote": "six "
                                                    "dense "
                                                    "models "
                                                    "(1.5B, "
                                                    "7B, "
                                                    "8B, "
                                                    "14B, "
                                                    "32B, "
                                                    "70B) "
                                                    "distilled "
                                                    "from "
                                                    "DeepSeek-R1",
                                                    "locator": "Abstract",
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
                    "key": "fr-geopolitique",
                    "stance": "con",
                    "text": "Publier nos meilleurs modèles, c'est aussi les offrir à "
                    "des puissances rivales, qui s'en servent sans rien rendre.",
                    "author": "chen",
                    "elaboration": "",
                    "cite": [],
                    "children": [
                        {
                            "key": "fr-geo-deepseek",
                            "stance": "con",
                            "text": "Des modèles chinois ouverts comme DeepSeek "
                            "R1 ou Qwen rivalisent déjà avec les "
                            "meilleurs : s'abstenir de publier ne prive "
                            "personne, sauf les Européens.",
                            "author": "ben",
                            "elaboration": "",
                            "cite": [
                                {
                                    "source": "deepseek-r1",
                                    "quote": "DeepSeek-R1 achieves performance "
                                    "comparable to OpenAI-o1-1217 on "
                                    "reasoning tasks.",
                                    "locator": "Abstract",
                                },
                                {
                                    "source": "qwen2-5",
                                    "quote": "Open-weight offerings include "
                                    "base and instruction-tuned models",
                                    "locator": "Abstract",
                                },
                            ],
                            "children": [
                                {
                                    "key": "fr-geo-vol",
                                    "stance": "pro",
                                    "text": "Un modèle fermé n'est pas à "
                                    "l'abri non plus : des poids se "
                                    "volent ou fuient, comme ceux "
                                    "du premier LLaMA, diffusés sur "
                                    "internet quelques jours après "
                                    "leur mise à disposition des "
                                    "chercheurs en 2023.",
                                    "author": "ada",
                                    "elaboration": "",
                                    "cite": [
                                        {
                                            "source": "zuckerberg-open-source",
                                            "quote": "a world of only "
                                            "closed models "
                                            "results in a small "
                                            "number of big "
                                            "companies plus our "
                                            "geopolitical "
                                            "adversaries having "
                                            "access to leading "
                                            "models",
                                            "locator": "",
                                        }
                                    ],
                                    "children": [],
                                }
                            ],
                        }
                    ],
                },
                {
                    "key": "fr-seuil",
                    "stance": "con",
                    "text": "Ouvrir les modèles d'aujourd'hui ne dit pas s'il faudra "
                    "ouvrir ceux de demain : il faut un seuil de capacités "
                    "au-delà duquel chaque publication est évaluée.",
                    "author": "ada",
                    "elaboration": "C'est la conclusion prudente de l'administration "
                    "américaine en 2024 : pas de restriction "
                    "aujourd'hui, sans exclure d'en prévoir plus tard.",
                    "cite": [
                        {
                            "source": "ntia-open-weights",
                            "quote": "or that restrictions will never be appropriate in the future",
                            "locator": "Conclusion",
                        }
                    ],
                    "children": [
                        {
                            "key": "fr-seuil-qui-decide",
                            "stance": "con",
                            "text": "Qui fixe ce seuil ? Laisser chaque "
                            "entreprise décider seule, comme le fait le "
                            "plan américain de 2025, revient à ne rien "
                            "décider.",
                            "author": "ben",
                            "elaboration": "",
                            "cite": [
                                {
                                    "source": "us-ai-action-plan",
                                    "quote": "the decision of whether and how "
                                    "to release an open or closed "
                                    "model is fundamentally up to the "
                                    "developer",
                                    "locator": "Pillar I",
                                }
                            ],
                            "children": [
                                {
                                    "key": "fr-seuil-europe",
                                    "stance": "con",
                                    "text": "L'Europe a choisi une autre "
                                    "voie : un seuil inscrit dans "
                                    "la loi, que la Commission peut "
                                    "réviser au fil des progrès "
                                    "techniques.",
                                    "author": "chen",
                                    "elaboration": "",
                                    "cite": [
                                        {
                                            "source": "eu-ai-act",
                                            "quote": "in light of "
                                            "evolving "
                                            "technological "
                                            "developments, such "
                                            "as algorithmic "
                                            "improvements",
                                            "locator": "Art. 51(1)(b), 51(3)",
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
        {"claim": "fr-souv-hebergement", "parent": "fr-transp-administration", "stance": "pro"},
        {"claim": "fr-strat-peu-importe", "parent": "fr-eco-mistral-ferme", "stance": "con"},
        {"claim": "fr-seuil-contourne", "parent": "fr-seuil-europe", "stance": "con"},
    ],
}
