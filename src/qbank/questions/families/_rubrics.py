"""Rubrics of the open-response families: relations, paraphrase statements, wrong mechanisms.

A criterion is earned by one clause that states its relation (every pattern of one
relation matches in that clause, the clause has a verb, no negation covers it), or by a
clause that paraphrases one of its statements (with the embedding model installed).
The concept words below are deliberately broad and plain ("word" as well as "token",
"graded" as well as "loss"): the relation, not the vocabulary, is what earns a point.
They are calibrated against hand-graded answers (tests/grader/data); change them together
with that calibration and check the held-out figures (bench/bench_rubric.py).
"""

from __future__ import annotations

from ..rubric import Cap, Criterion, Rubric, WrongMechanism

__all__ = ["PREAMBLE_RUBRIC"]

# Concept vocabularies, as regular expression alternations (case-insensitive).
_TOKEN = r"\b(?:tokens?|words?|positions?|pieces?|steps?|next[- ]token|first[- ]token|y_?t|y_\{?<?t)\b"
_EACH = r"\b(?:each|every|per|individual(?:ly)?|separate(?:ly)?|single|one (?:at a time|by one)|its own|own|independent(?:ly)?|one after|by[- ]token|at a time|by itself|on its own|(?:is|as) one)\b"
_SCORE = (r"\b(?:loss(?:es)?|terms?|penalt(?:y|ies)|penali[sz]\w*|scored?|scoring|grad(?:ed|es|ing)|judged?|marked|"
          r"log[- ]?(?:likelihoods?|probs?|probabilit\w*|loss)|likelihoods?|nll|cross[- ]?entropy|predict\w*|classif\w*|"
          r"decisions?|choices?|problems?|tasks?|objective|trained|training|learned|learns?|optimi[sz]\w*|probabilit\w*|guess\w*|mistakes?|"
          r"correct(?:ed|ions?)|checked|measured|rated|evaluated|counted|counts)\b")
_SUM = r"\b(?:sum\w*|add(?:s|ed)? up|added|total|adds|summ?ation|Σ|accumulat\w*|-\s*sum|\\sum)\b"
_FIRST = r"\b(?:first|opening|initial|start(?:ing)?|leading|position (?:1|one)|very first)\b"
_PROBLEM = r"\b(?:own|separate|independent|single|one|distinct|its own|new|another)\b[\w\s-]{0,25}\b(?:prediction|classification|decision|choice|problem|task|term|guess|bet|question|softmax)\b"
_PARAMS = r"\b(?:parameters?|params|weights?|network|model|theta|θ|neurons|brain|set of (?:numbers|weights|parameters)|knobs)\b"
_SHARED = (r"\b(?:same|shared|one|single|common|joint)\b(?:\s+[\w-]+){0,2}?\s+" + _PARAMS +
           r"|" + _PARAMS + r"[\w\s]{0,15}\b(?:is|are|get|gets|being|been)\s+(?:not\s+)?(?:all\s+|also\s+)?(?:shared|the same|identical|common)\b|\bshar(?:e|es|ing)\b[\w\s]{0,12}" + _PARAMS)
_ALL_PROMPTS = (r"\b(?:every|all|each|other|across|many|whole|different|any|similar|most|between|for)\b[\w\s'-]{0,25}"
                r"\b(?:prompts?|questions?|instructions?|examples?|requests?|inputs?|tasks?|pairs?|data ?set|conversations?|responses?)\b")
_PUSHES = (r"\b(?:gradients?|updates?|nudges?|push(?:es)?|pulls?|votes?|signals?|corrections?|adjustments?|"
           r"contributions?)\b")
_AGGREGATE = (r"\b(?:add(?:s|ed)? up|add together|sum(?:s|med)?(?: up)?|accumulat\w*|stack\w*(?: up)?|pile\w* up|"
              r"combin\w*|outweigh\w*|outnumber\w*|out-?vot\w*|overwhelm\w*|dominat\w*|drown\w*|swamp\w*|"
              r"win\w*|beat\w*|overpower\w*|more than|majority|together)\b")
_MANY = (r"\b(?:many|most|majority|hundreds|thousands|lots of|dozens|27|all the other|far more|more|\d+ of the \d+|"
         r"\d+ (?:out )?of \d+|\d+\s*%|nearly all|almost all|plenty)\b")
_FEW = (r"\b(?:one|single|lone|only|few|1)\b[\w\s'\"!.,-]{0,20}\b(?:example|response|answer|reply|pair|case|sample|"
        r"red|direct)\b")
_MATCH = (r"\b(?:match\w*|imitat\w*|reproduc\w*|mimic\w*|cop(?:y|ies|ied|ying)|fit\w*|mirror\w*|follow\w*|learn\w*|"
          r"reflect\w*|approximat\w*|estimat\w*|ends? up|converg\w*|set\w*|equal\w*|track\w*|assign\w*|gives?|puts?)\b")
_FREQ = (r"\b(?:frequenc\w*|frequent\w*|distribution|average\w*|how often|as often as|as frequently as|in proportion|same proportion|same rate|proportions?|share|percent\w*|ratio|"
         r"statistics?|majority|fraction|empirical|mostly|base rate|counts?|27\s*/\s*40|\d+\s*%|0\.\d+|\d+ (?:out )?of \d+|"
         r"most (?:of the |training )?(?:responses|examples|replies|answers|data))\b")
_MODE = (r"\b(?:mode|argmax|greedy|most (?:likely|probable|common|frequent)|highest[- ]probability|highest|top|likeliest|"
         r"biggest probability|largest probability|most of the probability|probability mass)\b")
_PICK = r"\b(?:pick\w*|choos\w*|chose\w*|select\w*|emit\w*|output\w*|take\w*|says?|start\w*|decod\w*|wins?|goes? with|begins?)\b"
_AFTER = (r"\b(?:after|once|following|then|rest|continuation|remaining|later|subsequent|what follows|next)\b")
_PREAMBLE = r"(?:\bpreamble\b|of course|\bsure\b|\bprefix\b|\bopening\b|\bintro\w*|\bfiller\b|\bpoliteness\b|\bpolite\b)"
_CONDITION = (r"\b(?:condition\w*|depend\w*|based on|looks? at|sees?|uses?|given|attend\w*|takes? into account|"
              r"reads?|knows?|still)\b")
_CONTEXT = r"\b(?:prompt|prefix|question|context|preamble|previous|earlier|instruction|what came before|what it (?:has )?(?:said|written))\b"
_CONTENT = (r"\b(?:content|colou?rs?|answer|facts?|red|information|substance|list)\b[\w\s,'-]{0,30}"
            r"\b(?:still|correct|right|accurate|unchanged|intact|fine|true)\b|\bstill\b[\w\s'-]{0,30}\b(?:right|correct|knows?|gets?|"
            r"lists?|produces?|gives?|answers?|names?|says|accurate)\b")
_REMEDY = (r"\b(?:remov\w*|rebalanc\w*|balanc\w*|filter\w*|fewer|less|rewrit\w*|clean\w*|reduc\w*|drop\w*|delet\w*|edit\w*|"
           r"strip\w*|cut\w*|downweight\w*|down-weight\w*|replac\w*|change\w*|fix\w*|add\w* more|more (?:direct|short)|"
           r"includ\w* more|dedup\w*|mask\w*)\b")
_DATA = (r"(?:\bdata\w*|\bexamples?\b|\bresponses?\b|\breplies\b|\banswers?\b|\bpreambles?\b|of course|\btraining set\b|"
         r"\bsft\b|\bpairs?\b|\bcorpus\b)")
_PREF = r"\b(?:dpo|rlhf|preference\w*|reward model|ppo|human feedback|comparisons?)\b"
_DIRECT = r"\b(?:direct\w*|without (?:the )?(?:preamble|filler|of course)|shorter|concise|brief|straight|to the point|prefer\w*|pairs?|chosen|rejected|penali[sz]\w*)\b"
_OTHER = (r"\b(?:other|similar|different|short|related|new|more)\b[\w\s-]{0,20}"
          r"\b(?:prompts?|questions?|instructions?|requests?|lists?|tasks?|queries)\b")
_PREDICT = (r"\b(?:also|too|as well|would|will|should|expect\w*|predict\w*|likely|probably|show|appear|get)\b")
_UPWEIGHT = r"\b(?:up-?weight\w*|weight\w* (?:it|this|that|the (?:colou?rs? |direct )?example) (?:more|higher|up)|larger weight|oversampl\w*|more epochs|repeat\w* (?:it|the example))\b"

PREAMBLE_RUBRIC = Rubric(
    criteria=(
        Criterion(
            id="C1", title="Token-level decomposition", weight=25,
            description="The loss is a sum of per-token negative log-likelihoods over all examples; the first "
            "response token is its own prediction problem, and the ideal answer adds one term for its first token.",
            relations=(
                (_EACH, _TOKEN, _SCORE),
                (_SUM, r"\b(?:log|loss|nll|terms?|cross[- ]?entropy|likelihood|penalt\w*|scores?)\w*", _TOKEN),
                (_FIRST, _TOKEN, _PROBLEM),
                (r"\b(?:token[- ]by[- ]token|word[- ]by[- ]word|one (?:token|word|position) at a time|position by position|"
                 r"step by step|one step at a time|piece by piece)\b", _SCORE),
                (r"\bnext[- ](?:token|word)\b", r"\b(?:predict\w*|loss|objective|classif\w*|trained|training|likelihood|cross[- ]?entropy)\b"),
                (r"(?:-|−)\s*(?:\\sum|sum|Σ)\w*.{0,20}log\s*p", ),
                (r"\b(?:one|single|a|only)\b[\w\s-]{0,12}\bterms?\b", r"\b(?:red|direct|this example|colou?rs? example|its first|position 1|first)\b"),
            ),
            statements=(
                "The loss adds up a separate term for every token of every response.",
                "Each word of the answer is graded on its own, one word at a time.",
                "The first word of the reply is its own little prediction problem.",
                "Training scores the model one token at a time, so the opening token is judged by itself.",
                "This example only contributes one term, for its first word, to the total loss.",
                "Every position in every target is a separate classification.",
            ),
            similarity=0.55,
            anchors=(_TOKEN, r"\b(?:one|each|every)\b[\w\s]{0,10}\b(?:at a time|separately|on its own|by itself)\b"),
            # wrong explanation 8 of CONTENT.md: naming cross-entropy while misreading it
            contradictions=(r"only penali[sz]\w* (the )?wrong", r"penali[sz]\w* only (the )?wrong",
                            r"\bwhole (?:response|answer|sequence) (?:at once|as (?:a|one) (?:unit|whole))"),
            feedback_met="You explain that the objective is a sum of per-token log-losses, so the first token is its own prediction.",
            feedback_missed="Say how the MLE objective decomposes: a sum of $-\\ln p(y_t \\mid x, y_{<t})$ over every token of every response, so the first token is a separate prediction.",
        ),
        Criterion(
            id="C2", title="Shared parameters aggregate the dataset", weight=25,
            description="One set of parameters serves every prompt; gradients from all examples add up, so many "
            "preamble-initial responses outweigh the single direct one.",
            relations=(
                (_SHARED, _ALL_PROMPTS),
                (_SHARED, r"\b(?:is|are|so|serves?|answers?|used|produces?|handles?|for|updat\w*|pull\w*|push\w*|train\w*)\b"),
                (r"\bshar(?:e|es|ed|ing)\b", r"\b(?:prompts?|questions?|instructions?|examples?)\b"),
                (_PUSHES, _AGGREGATE),
                (_SHARED, r"\b(?:comes? from|produced by|come out of|computed by|given by)\b"),
                (r"\b(?:all|every|many|the)\b[\w\s'-]{0,20}\b(?:examples|responses|replies|pairs)\b",
                 r"\b(?:add(?:s|ed)? up|sum(?:med)? up|accumulat\w*|stack\w* up|pile\w* up|combine)\b"),
                (_MANY, _AGGREGATE, _FEW),
                (_MANY, r"\b(?:examples?|responses?|replies|answers?|pairs?|ones|cases|samples)\b", r"\b(?:outweigh\w*|outnumber\w*|out-?vot\w*|overwhelm\w*|dominat\w*|drown\w*|swamp\w*|overpower\w*|beat\w*|wins?|win out)\b"),
                (r"\b(?:generali[sz]\w*|transfer\w*|spill\w* over|carr(?:y|ies) over|appl(?:y|ies|ied) (?:it )?to)\b", _ALL_PROMPTS),
                (r"\b(?:in isolation|on its own|separately|by itself|special rule|special case|its own rule|individually|apart|"
                 r"separate (?:copy|model|version|network|brain|set of (?:weights|parameters)))\b",
                 r"\b(?:prompt|question|example|instruction)\b", r"\b(?:can't|cannot|can not|doesn't|does not|couldn't|no)\b"),
                (r"\bvot\w*|\belection\b|\bballot\w*|\bmajority rule\b|\bdemocra\w*", _PUSHES),
            ),
            statements=(
                "One set of weights answers every prompt, so all the examples pull on the same numbers.",
                "The nudges from all the training examples stack up on the same parameters.",
                "The many examples that start with Of course outvote the single example that starts with Red.",
                "The model cannot treat this question separately because the same network serves all questions.",
                "Updates from every example add up, and the majority wins.",
                "What the model learns from the other prompts carries over to this prompt.",
            ),
            similarity=0.64,
            anchors=(_PARAMS, _PUSHES, _MANY, r"\b(?:vot\w*|majority|outweigh\w*|all|every)\b"),
            contradictions=(r"\b(?:separate|different|own) (?:model|network|parameters|weights) (?:for|per) (?:each|every)\b",
                            r"\b(?:its|their) own (?:parameters|weights|model|network)\b"),
            feedback_met="You explain that shared parameters let the many preamble examples outweigh the one direct answer.",
            feedback_missed="Explain the role of shared parameters: one model serves every prompt, and the gradients of the many preamble examples outweigh the single 'Red' example.",
        ),
        Criterion(
            id="C3", title="MLE matches the aggregate data distribution", weight=20,
            description="The optimum matches the empirical first-token frequencies among contexts the model cannot tell "
            "apart; greedy decoding then picks the mode.",
            relations=(
                (_MATCH, _FREQ),
                (r"\b(?:opens?|starts?|begins?|says?|uses?|produces?|outputs?)\b",
                 r"\b(?:as often as|as frequently as|in (?:the same )?proportion|same proportion|same rate)\b"),
                (_MODE, _PICK),
                (_MODE, r"\b(?:first|opening|start\w*|token|word|preamble)\b|['\"]of\b|\bof course", r"\b(?:is|becomes|becoming|makes?|made|gets?|ends? up|remains|stays|so)\b"),
                (r"\bp\s*\(\s*['\"]?of|\bprobabilit\w*|\bchance\b|\blikel\w*", r"\b(?:0\.\d+|\d+\s*/\s*\d+|\d+\s*%|about|around|near|close to|high|higher|most|majority)\b",
                 r"\b(?:first|opening|start\w*|preamble|begin\w*)\b|['\"]of\b|\bof course"),
                (r"\b(?:one|a) (?:sample|draw|data point)\b", r"\b(?:distribution|not a rule|rule)\b"),
            ),
            statements=(
                "The model copies how often each opening word appears in the training data.",
                "Maximum likelihood makes the model imitate the average behaviour of the dataset.",
                "Of gets the highest probability as a first word, so greedy decoding picks it.",
                "It learned that about eighty percent of replies start with Of course.",
                "The trained model reproduces the data's statistics rather than each example's ideal answer.",
            ),
            similarity=0.6,
            anchors=(_FREQ, _MODE, r"\b(?:often|usual\w*|typical\w*|common\w*|most|average|probab\w*)\b"),
            feedback_met="You say that maximum likelihood reproduces the dataset's first-token frequencies, and decoding picks the mode.",
            feedback_missed="Add that the MLE optimum reproduces the data's first-token frequencies for similar prompts, so the preamble is the most probable first token and greedy decoding emits it.",
        ),
        Criterion(
            id="C4", title="Why the content is still right", weight=15,
            description="Later tokens are conditioned on the prefix and on the prompt, so the correct content follows the preamble.",
            relations=(
                (r"\bcondition\w*\b", _CONTEXT),
                (_AFTER, _PREAMBLE, _CONDITION),
                (_AFTER, _PREAMBLE, _CONTENT),
                (_CONTENT,),
                (r"\bteacher[- ]forc\w*", r"\b(?:continu\w*|pattern\w*|taught|after|follow\w*|prefix)\b"),
                (r"\b(?:style|form|surface|tone|manner)\b", r"\b(?:content|substance|facts?|answer|colou?rs?)\b", r"\b(?:separate\w*|on top|layer\w*|not|unchanged|independent\w*|different)\b"),
            ),
            statements=(
                "After saying Of course, the model still knows the colours because it looks at the question.",
                "The words after the preamble are predicted from the prompt and from what was already written.",
                "The preamble is only style; the content of the answer is still correct.",
                "Once it has started with Of course, the natural way to go on is The primary colors are, and the colours are right.",
            ),
            similarity=0.62,
            anchors=(_PREAMBLE, _CONTEXT, r"\b(?:content|colou?rs?|still|rest|after)\b"),
            # exposure bias (conditioning on its own outputs) is a wrong explanation, not C4
            contradictions=(r"(its|their) own (outputs?|generations?|errors?|mistakes?|(generated|sampled) tokens)",),
            feedback_met="You explain why the correct colours still follow the preamble.",
            feedback_missed="Explain why the content is still right: after the preamble, later tokens are conditioned on the prompt and the prefix.",
        ),
        Criterion(
            id="C5", title="A prediction or remedy that follows", weight=15,
            description="Rebalance or filter the SFT data, use preference optimisation, upweight with care, or predict the same effect on similar prompts.",
            relations=(
                (_REMEDY, _DATA),
                (_PREF, _DIRECT),
                (r"\bprefer\w* (?:the )?(?:direct|short|concise)", ),
                (_UPWEIGHT,),
                (_OTHER, _PREDICT, r"\b(?:preamble|of course|sure|same (?:effect|preamble|opening|phrase|thing|habit)|effect|behaviou?r|habit|polite\w*|filler)|\bsame\b[\w\s]{0,10}\b(?:happen|appear|occur|show)\w*"),
                (r"\b(?:fix|cure|remedy|solution|solve|prevent|avoid|get rid)\w*", _DATA),
            ),
            statements=(
                "To fix it, take most of the Of course openings out of the fine-tuning data.",
                "Training on preference pairs that favour the direct answer would remove the habit.",
                "Other short questions should get the same polite opening.",
                "Giving the direct example a much larger weight could help, but it risks overfitting.",
            ),
            similarity=0.55,
            anchors=(_DATA, _PREF, _OTHER, r"\b(?:fix|remov\w*|fewer|rebalanc\w*|weight\w*)\b"),
            contradictions=(r"(lower|reduc|decreas)\w* (the )?(sampling )?temperature",),
            feedback_met="You give a remedy or prediction that follows from the mechanism.",
            feedback_missed="Finish with a consequence: e.g. fewer preambles in the SFT data, or preference data that favours direct answers.",
        ),
    ),
    caps=(Cap(unless=("C1", "C2"), max_score=0.4, reason="Without the per-token, shared-parameter mechanism the answer earns at most 40%."),),
    required_for_full=("C1", "C2", "C3"),
    wrong_cap=0.2,
    wrong=(
        WrongMechanism(
            id="rlhf", title="RLHF rewarded politeness",
            patterns=(r"\b(?:rlhf|reward model|human feedback|raters?|ppo)\b[\w\s,'\"-]{0,40}\b(?:reward\w*|lik\w*|prefer\w*|taught|train\w*|polite\w*|made|caus\w*)\b(?![\w\s]{0,30}\b(?:direct|shorter|without)\b)",
                      r"\b(?:rewarded|reinforced) (?:for )?(?:being )?polite"),
            feedback="There is no preference training in this scenario: it is plain SFT.",
        ),
        WrongMechanism(
            id="length", title="MLE prefers longer answers",
            patterns=(r"\b(?:mle|likelihood|loss|objective|training|model|cross[- ]?entropy|averag\w*)\b[\w\s,'\"-]{0,40}\b(?:prefer\w*|favou?r\w*|reward\w*|likes?|wants?)\b[\w\s-]{0,15}\b(?:long\w*|length|more words|verbose|padding|extra words)\b",
                      r"\b(?:longer|long|verbose|padded)\b[\w\s-]{0,20}\b(?:responses?|answers?|outputs?|sequences?)\b[\w\s-]{0,25}\b(?:lower|smaller|less|better)\b[\w\s-]{0,10}\b(?:loss|perplexity|penalt\w*)\b",
                      r"\bpad\w*\b[\w\s-]{0,30}\b(?:longer|length)\b",
                      r"\b(?:lower|reduc\w*|smaller|decreas\w*)\b[\w\s-]{0,20}\b(?:average|mean|averaged)\b[\w\s-]{0,12}\bloss",
                      r"\b(?:average|mean|averaged)\b[\w\s-]{0,12}\bloss\b[\w\s-]{0,30}\b(?:lower|reduc\w*|smaller|favou?r\w*|reward\w*)",
                      r"\badd\w*\s+(?:\w+\s+)?(?:easy|filler|extra|cheap)\s+(?:tokens|words)\b"),
            feedback="Longer sequences have lower likelihood; the preamble wins at the first-token decision, not through length.",
        ),
        WrongMechanism(
            id="exposure", title="Exposure bias",
            patterns=(r"\bexposure[- ]bias\b", r"\b(?:its|their) own (?:outputs?|generations?|errors?|mistakes?|predictions|(?:generated|sampled) tokens)\b",
                      r"\bdrift\w*\b"),
            feedback="Exposure bias concerns conditioning on self-generated errors; at the first response token there is no generated prefix yet.",
        ),
        WrongMechanism(
            id="temperature", title="Temperature or random sampling",
            patterns=(r"\btemperature\b[\w\s-]{0,20}\b(?:too high|high|higher)\b", r"\b(?:random(?:ly)?|by chance|noise)\b[\w\s-]{0,30}\b(?:add\w*|sampl\w*|pick\w*|insert\w*)\b",
                      r"\bsampl\w* (?:randomly|noise)\b", r"\b(?:sampl\w*|add\w*|pick\w*|insert\w*)\b[\w\s-]{0,30}\bat random\b"),
            feedback="Random sampling would not systematically add the preamble; greedy decoding adds it because it is the mode.",
        ),
        WrongMechanism(
            id="memorised", title="Memorised the phrase for this prompt",
            patterns=(r"\bmemori[sz]\w*\b[\w\s'\"!,-]{0,60}\b(?:for|with|on|about) (?:colou?r|this|that|the colou?r|these)\b",),
            feedback="This is aggregation across examples, not memorisation of one.",
        ),
        WrongMechanism(
            id="bug", title="The example was ignored or mis-weighted",
            patterns=(r"\b(?:bug|glitch|mislabel\w*|corrupt\w*)\b", r"\b(?:ignored|skipped|dropped|lost|never (?:saw|seen|learned|learnt))\b[\w\s'\"-]{0,30}\b(?:example|red|direct|colou?rs?)\b",
                      r"\b(?:example|red|direct|colou?rs?)\b[\w\s'\",.-]{0,30}\b(?:was|were|got|been)\s+(?:\w+ly\s+)?(?:ignored|skipped|dropped|lost|filtered out|removed)\b"),
            feedback="The example was included; its contribution is simply small.",
        ),
        WrongMechanism(
            id="pretraining", title="Pre-training taught it",
            patterns=(r"\bpre-?train\w*\b[\w\s,'\"-]{0,40}\b(?:taught|teach\w*|caus\w*|habit|learn\w*|made|instill\w*)\b",),
            feedback="Pre-training may contribute, but it does not explain why SFT on ideal responses fails to remove it.",
        ),
        WrongMechanism(
            id="only-wrong", title="Cross-entropy only penalises wrong tokens",
            patterns=(r"\bonly penali[sz]\w* (?:the )?wrong", r"\bpenali[sz]\w* only (?:the )?wrong"),
            feedback="The gold token's probability is the only term; 'Of' is penalised here but rewarded in many other examples.",
        ),
    ),
)
