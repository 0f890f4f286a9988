from __future__ import annotations

import re

import pytest
import yaml

from chalicelib.charter import CHARTER_PATH, load_charter
from chalicelib.domain.charter import Charter
from chalicelib.domain.charter import Triage as TriageRules
from chalicelib.domain.triage import SecondOpinion, Triage, TriageResult, detect_language, fold

CHARTER = load_charter()
TRIAGE = Triage(CHARTER.triage, CHARTER.brand.languages)


@pytest.mark.parametrize(
    ("text", "category", "priority", "language"),
    [
        (
            "Mon colis n'est toujours pas arrivé, 3e fois que je relance !!!",
            "complaint",
            "high",
            "fr",
        ),
        ("My parcel never arrived", "complaint", "normal", "en"),
        ("BANDE D'ESCROCS, JE VEUX MON REMBOURSEMENT", "complaint", "high", "fr"),
        ("your service is crap, I'm going to a competitor", "complaint", "high", "en"),
        ("Bravo Acme, 3 semaines pour un colis 👏👏", "complaint", "high", "fr"),
        ("Vous avez l'iPhone 15 en stock ?", "question", "normal", "fr"),
        ("What time do you open on Sunday?", "question", "normal", "en"),
        ("Comment joindre le service client ?", "contact_request", "normal", "fr"),
        ("please DM me", "contact_request", "normal", "en"),
        ("Merci pour la livraison super rapide 😍", "praise", "low", "fr"),
        ("Thank you Sam, amazing service!", "praise", "low", "en"),
        ("ta gueule connasse", "abuse", "high", "fr"),
        ("@tom you're a fucking idiot", "abuse", "high", "en"),
        ("go back to your country", "abuse", "high", "en"),
        ("Earn 500$ a day with crypto, check my profile", "spam", "low", "en"),
    ],
)
def test_categories_priorities_and_languages(
    text: str, category: str, priority: str, language: str
) -> None:
    result = TRIAGE.classify(text)
    assert (result.category, result.priority, result.language) == (category, priority, language)


def test_the_result_names_the_rules_that_matched() -> None:
    result = TRIAGE.classify("Mon colis n'est toujours pas arrivé !!!")
    assert "complaint.delivery" in result.rules
    assert "high.exclamations" in result.rules


def test_insults_at_the_brand_inside_a_complaint_are_a_high_complaint_not_abuse() -> None:
    for text in (
        "Acme vous êtes des voleurs, rendez-moi mon argent !",
        "Worst company ever, you scammers stole my money",
    ):
        result = TRIAGE.classify(text)
        assert (result.category, result.priority) == ("complaint", "high")


def test_shouting_makes_a_complaint_high() -> None:
    result = TRIAGE.classify("MA COMMANDE EST ARRIVÉE CASSÉE")
    assert result.priority == "high"
    assert "high.shouting" in result.rules


def test_nothing_recognisable_falls_back_to_the_charter_default() -> None:
    result = TRIAGE.classify("hmm")
    assert result.category == CHARTER.triage.fallback
    assert result.rules == ()
    assert TRIAGE.classify(None).category == CHARTER.triage.fallback


def test_folding_and_language() -> None:
    assert fold("Reçu l\u2019ÉTÉ") == "recu l'ete"
    assert detect_language(fold("je n'ai pas reçu mon colis"), ["fr", "en"]) == "fr"
    assert detect_language(fold("I did not get my parcel"), ["fr", "en"]) == "en"
    assert detect_language("", ["fr", "en"]) == "fr"  # the brand's first language


def test_a_second_opinion_can_overrule() -> None:
    class Cautious(SecondOpinion):
        def review(self, text: str, first: TriageResult) -> TriageResult | None:
            if first.category == "abuse":
                return TriageResult("complaint", "high", first.language, (*first.rules, "2nd"))
            return None

    triage = Triage(CHARTER.triage, CHARTER.brand.languages, second_opinion=Cautious())
    assert triage.classify("ta gueule connasse").category == "complaint"
    assert triage.classify("merci !").category == "praise"


def test_an_invalid_rule_is_refused() -> None:
    raw = CHARTER.triage.model_dump()
    raw["rules"]["spam"].append({"id": "spam.crypto_money", "patterns": ["x"]})
    with pytest.raises(ValueError, match="unique"):
        TriageRules.model_validate(raw)
    raw["rules"]["spam"][-1] = {"id": "spam.bad", "patterns": ["(unclosed"]}
    with pytest.raises(ValueError, match="bad pattern"):
        TriageRules.model_validate(raw)
    raw["rules"]["spam"][-1] = {"id": "spam.bad", "patterns": [r"\b(crypto)?"]}
    with pytest.raises(ValueError, match="matches empty text"):
        TriageRules.model_validate(raw)


def test_rules_refer_to_named_word_lists() -> None:
    raw = CHARTER.triage.model_dump()
    raw["word_lists"] = {"gadgets": ["grille-?pain", "toasters?"]}
    raw["rules"]["question"].append(
        {"id": "question.gadget", "weight": 9, "patterns": [r"\b{{gadgets}} (rouge|red)\b"]}
    )
    triage = Triage(TriageRules.model_validate(raw), CHARTER.brand.languages)
    assert "question.gadget" in triage.classify("un grillepain rouge").rules
    assert "question.gadget" in triage.classify("two toasters red").rules
    assert "question.gadget" not in triage.classify("a red toaster").rules
    raw["rules"]["question"][-1]["patterns"] = [r"\b{{gizmos}}\b"]
    with pytest.raises(ValueError, match=re.escape("question.gadget: unknown word list 'gizmos'")):
        TriageRules.model_validate(raw)
    raw["word_lists"]["gizmos"] = ["(unclosed"]
    with pytest.raises(ValueError, match=re.escape("word_lists.gizmos: bad pattern")):
        TriageRules.model_validate(raw)
    raw["word_lists"]["gizmos"] = ["gizmo", "(gadget)?"]  # the typo would match every word
    refusal = "word_lists.gizmos: pattern '(gadget)?' matches empty text"
    with pytest.raises(ValueError, match=re.escape(refusal)):
        TriageRules.model_validate(raw)


def test_a_word_list_may_name_the_lists_above_it() -> None:
    raw = CHARTER.triage.model_dump()
    raw["word_lists"] = {"brands": ["railnova", "rn"], "praise_of_brand": ["love {{brands}}"]}
    raw["rules"]["praise"].append(
        {"id": "praise.brand", "weight": 9, "patterns": [r"\b{{praise_of_brand}}\b"]}
    )
    triage = Triage(TriageRules.model_validate(raw), CHARTER.brand.languages)
    assert "praise.brand" in triage.classify("honestly I love RN").rules
    assert "praise.brand" not in triage.classify("honestly I love trains").rules
    # a list below would let two lists name each other, so only the lists above count
    raw["word_lists"] = {"praise_of_brand": ["love {{brands}}"], "brands": ["railnova"]}
    refusal = "word_lists.praise_of_brand: unknown word list 'brands'"
    with pytest.raises(ValueError, match=re.escape(refusal)):
        TriageRules.model_validate(raw)
    raw["word_lists"] = {"brands": ["railnova", 7], "praise_of_brand": ["love {{brands}}"]}
    with pytest.raises(ValueError, match=re.escape("word_lists.brands: must be a list of")):
        TriageRules.model_validate(raw)


def test_patterns_written_with_accents_match_as_messages_are_matched() -> None:
    raw = CHARTER.triage.model_dump()
    raw["word_lists"] = {"broken": ["cassée?", "abîmée?"]}
    raw["rules"]["complaint"].append(
        {
            "id": "complaint.accents",
            "weight": 9,
            "patterns": [r"\b(ça|télé) {{broken}}\b", "l\u2019écran"],
        }
    )
    triage = Triage(TriageRules.model_validate(raw), CHARTER.brand.languages)
    for text in ("Ça cassée, franchement", "ma tele abimee", "L'ECRAN est noir"):
        assert "complaint.accents" in triage.classify(text).rules


@pytest.mark.parametrize(
    ("text", "veto"),
    [
        (
            "Le livreur m'a traitée de connasse parce que je lui ai demandé de monter le colis",
            "visible.reported_speech",
        ),
        (
            "your driver told me to f*** off and called me an idiot, I want an apology",
            "visible.reported_speech",
        ),
        (
            "J'ai reçu un SMS 'colis en attente, réglez 2,99€ ici: acme-livraison.info' arnaque ?",
            "visible.scam_report",
        ),
        (
            "Is this really you? acme-fr-cadeaux.com says I won a £500 gift card",
            "visible.scam_report",
        ),
        # words that are slurs elsewhere
        (
            "My bitch is due in 3 weeks (Labrador, 6th litter). Is your puppy milk ok from day 1?",
            "visible.titles_and_breeders",
        ),
        (
            'The gym blasted "Bitch Better Have My Money" at full volume in the kids\' swim hour.',
            "visible.titles_and_breeders",
        ),
        (
            'Est-ce que "Nègres blancs d\'Amérique" de Vallières est dispo en poche chez vous ?',
            "visible.titles_and_breeders",
        ),
        # a slur the customer was told, reported; their photos, tracking page, fan content
        (
            'Told by your Edinburgh shop assistant that "trannies use the disabled loo, not the'
            " ladies\". I'm a woman and a paying customer. Absolutely raging, Velvet & Co.",
            "visible.reported_speech",
        ),
        (
            "Voici les photos du canapé livré déchiré : https://photos.imgshare.com/a8f7d2."
            " Commande 55-8891. Je veux un échange.",
            "visible.own_evidence",
        ),
        (
            "@ColiPrompt colis bloqué depuis 8 jours, suivi n° CP7789456123FR. Voici la page :"
            " www.coliprompt.fr/suivi/CP7789456123FR. Il est où ??",
            "visible.own_evidence",
        ),
        (
            "@UrbanThreads obsessed with the linen suit, link in bio for anyone asking where it's"
            " from 🔥",
            "visible.own_evidence",
        ),
        (
            "I sell handmade dog collars and buy buckles from your trade shop every month. Can I"
            " get VAT invoices for my accountant?",
            "visible.creator_pitch_to_brand",
        ),
    ],
)
def test_what_only_looks_like_abuse_or_spam_is_never_hidden(text: str, veto: str) -> None:
    result = TRIAGE.classify(text)
    assert result.category not in ("abuse", "spam")
    assert veto in result.rules


@pytest.mark.parametrize(
    "text",
    [
        # On X a complaint opens on the brand's handle, which the charter cannot list for every
        # page: "retard" (delay), "raté" (missed), "moche", "dumb update" are about the service.
        "@OuiGo 2h de retard, je rate mon rdv",
        "@TGVite retard, retard, retard. Je devrais me faire rembourser tellement c'est nul",
        "@BeautyLune le nouveau packaging est moche et la crème pique maintenant",
        "@ShopZenith débile ce nouveau règlement de retour payant",
        "@TrackFit battery dies in 6 hours since the update. Dumb update, roll it back",
        "@GymRush stupid policy, 30 days notice to cancel AND a fee? bunch of muppets",
    ],
)
def test_a_complaint_opening_on_the_brands_handle_is_answered(text: str) -> None:
    assert TRIAGE.classify(text).category not in ("abuse", "spam")


@pytest.mark.parametrize(
    "text",
    [
        "@kev_mufc your a nonce mate everyone knows it",
        "@marie.dlt t'as l'air d'une attardée, relis ton commentaire avant de l'écrire",
    ],
)
def test_an_insult_addressed_to_another_commenter_is_abuse(text: str) -> None:
    assert TRIAGE.classify(text).category == "abuse"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        (
            "@FastDrop I swear I'm going to strangle your driver, he threw my parcel over the gate"
            " AGAIN. 3rd time. It was a glass vase.",
            "complaint",
        ),  # "you" is not "your"
        ("I'm going to strangle you when I find you", "abuse"),
        (
            "Bonjour, diabétique de type 1, je voyage avec mon stylo à insuline et mes aiguilles. Y"
            " a-t-il des formalités à bord de vos trains de nuit ?",
            "question",
        ),
        ("Tapez 1 en commentaire et partagez pour recevoir votre bon d'achat !", "spam"),
        (
            "@SecureAcme-help your account is locked, verify at www.coliprompt-verif.info/login"
            " @coliprompt",
            "spam",
        ),  # a look-alike domain is not the brand's own site
    ],
)
def test_threats_hoaxes_and_links_are_read_word_for_word(text: str, category: str) -> None:
    assert TRIAGE.classify(text).category == category


def test_a_handle_listed_as_the_brands_is_not_another_commenter() -> None:
    raw = yaml.safe_load(CHARTER_PATH.read_text())
    raw["triage"]["word_lists"]["brand_names"] = ["railnova"]
    own = Charter.model_validate(raw)
    railnova = Triage(own.triage, own.brand.languages)
    text = "@RailNova quel tocard"
    assert TRIAGE.classify(text).category == "abuse"  # a reply to a commenter called RailNova
    assert railnova.classify(text).category not in ("abuse", "spam")


def test_a_loan_offer_asking_to_be_written_to_is_spam_but_a_customer_asking_for_a_call_is_not() -> (
    None
):
    offer = (
        "Prêt entre particuliers rapide et sans frais de dossier, taux 2 %. Contactez-moi en MP."
    )
    assert TRIAGE.classify(offer).category == "spam"
    doris = "Hello dear, could somebody ring me on 0161 496 0321 please. Many thanks, Doris"
    assert TRIAGE.classify(doris).category == "contact_request"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        # abuse with no swear word: an ape at the counter, how a woman got the job, a veiled
        # threat, prejudice without a slur
        (
            "Get that ape off the phones, he hung up on me twice",
            "abuse.primates_and_vermin_at_staff",
        ),
        (
            "Jess from customer care, bet you got that job in a short skirt, not for your brains",
            "abuse.sexism_at_work",
        ),
        (
            "Fais attention en sortant ce soir, le vendeur à lunettes. Je t'ai repéré",
            "abuse.veiled_threat",
        ),
        ("Ton prénom dit tout, toi et tes cousins vous êtes tous pareils", "abuse.coded_prejudice"),
        # spam that reads like a customer: an income from a phone, a cure, a loan, a shop code
        (
            "Je cherche 10 personnes motivées, 150€/jour juste avec son téléphone, écris-moi",
            "spam.money_for_nothing",
        ),
        ("My dad's diabetes is GONE after 30 days on these drops", "spam.miracle_cures"),
        ("Prêts de 5 000 à 50 000 € sans garantie, WhatsApp +229 97 41 03 58", "spam.loans_credit"),
        ("Visit my Etsy shop for resin jewellery, 20% off with code MOON20", "spam.own_shop_promo"),
    ],
)
def test_abuse_and_spam_by_shape(text: str, rule: str) -> None:
    result = TRIAGE.classify(text)
    assert result.category == rule.split(".")[0]
    assert rule in result.rules


def _with_rules(hidden_despite: list[dict[str, object]], spam_weight: float) -> Triage:
    """A charter with only three rules of known weights, to watch the decision itself."""
    raw = CHARTER.triage.model_dump()
    raw["rules"] = {
        "spam": [{"id": "spam.t", "weight": spam_weight, "patterns": [r"\bwhatsapp\b"]}],
        "praise": [{"id": "praise.t", "weight": 6, "patterns": [r"\bhonest woman\b"]}],
        "contact_request": [{"id": "contact.t", "weight": 6, "patterns": [r"\bdm me\b"]}],
    }
    raw["keep_visible"] = []
    raw["hidden_despite"] = hidden_despite
    return Triage(TriageRules.model_validate(raw), CHARTER.brand.languages)


def test_praise_is_no_argument_against_spam_once_the_spam_is_sure() -> None:
    testimonial = "she doubled my savings, honest woman, whatsapp her"
    rule = {"category": "spam", "of": ["praise"], "from_score": 4}
    assert _with_rules([], spam_weight=5).classify(testimonial).category == "praise"
    assert _with_rules([rule], spam_weight=5).classify(testimonial).category == "spam"
    # A weak spam cue is not enough to set the praise aside.
    assert _with_rules([rule], spam_weight=3).classify(testimonial).category == "praise"
    # Only the categories named are set aside: here a contact request still argues against hiding.
    pitch = "dm me or whatsapp, honest woman"
    assert _with_rules([rule], spam_weight=5).classify(pitch).category == "contact_request"


def test_hidden_despite_names_only_a_hiding_category() -> None:
    raw = CHARTER.triage.model_dump()
    raw["hidden_despite"] = [{"category": "complaint", "of": ["praise"], "from_score": 4}]
    with pytest.raises(ValueError, match=r"hidden_despite\.0\.category"):
        TriageRules.model_validate(raw)
