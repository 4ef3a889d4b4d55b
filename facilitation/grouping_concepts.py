"""A small multilingual lexicon of policy domains, written for samling (not copied).

Notes that say related things often share no word ("more cycle lanes", "cheaper buses").
Each domain lists accent-folded word forms in English, Danish, French and German (a few
Swedish/Norwegian/Dutch ones too). A note's hits per domain become extra features, so two
notes about transport look alike even without a common word. The engine weights these
features low: they nudge, the notes' own words decide.

Patterns: ``word`` matches that folded word exactly; ``word*`` any word starting with it;
``*word*`` any word containing it (for compounds such as "kollektivtrafik", "Radverkehr";
only for roots long enough not to hit unrelated words).
"""

from __future__ import annotations

from functools import lru_cache

_DOMAINS: dict[str, str] = {
    "transport": """
        car cars vehicle* bus buses coach coaches train trains rail* tram* metro* cycl* bike*
        bicycl* ebike* scooter* pedestrian* walking road roads traffic* transport* travel*
        commut* journey* parking congestion* driving driver* motorist* petrol diesel flight*
        flying aviation airport* plane planes ferry ferries mobility
        bil biler bilen bilerne bilist* elbil* personbil* *trafik* *transport* cykel* cykl*
        tog toget togene bussen busser busserne buslinje* busrute* fly flyet flyrejse*
        *luftfart* lufthavn* vej veje vejene motorvej* parkering* pendl* koersel koere*
        voiture* vehicule* velo velos ferroviaire* autobus autocar* tramway* routier* routiere*
        circulation* deplac* trajet* covoitur* mobilit* stationnement* avion* aerien*
        aeroport* autoroute* carburant* pieton* peage* *verkehr* fahrzeug* fahrrad*
        radweg* bahn auto autos zug flug* strasse* *bahn* parkplatz* kollektiv* bilpool*
        """,
    "housing": """
        hous* home homes building* dwelling* landlord* tenant* rent rented rental* insulat*
        retrofit* passivhaus epc apartment* flat flats construct* architect* heat heating
        heated boiler* glazing
        bolig* *bolig* hus huse husene husstand* byggeri* *byggeri* bygning* *bygning*
        lejlighed* udlejer* lejer* isoler* opvarmning* varmepumpe* fjernvarme* energirenover*
        renover* nybyg*
        logement* habitat* maison* immeuble* batiment* renovation* isolation* chauffage*
        proprietaire* locataire* loyer* construction* passoire* thermique*
        wohn* *wohnung* gebaeude* haus haeuser heizung* daemm* sanier* miete* vermiet*
        bostad* boende
        """,
    "energy": """
        energy energies electricity electric power renewable* solar wind turbine* turbines
        nuclear coal gas oil fossil* grid hydrogen geothermal biomass battery batteries
        photovoltaic* hydro hydropower generat* fracking
        energi* *energi* el elektricitet* stroem* vedvarende sol solen solcelle* solenergi*
        solvarme*
        vindmoelle* vind vindkraft* havvind* kul olie naturgas biogas brint* atomkraft*
        elnet* *elnet*
        energie* *energie* electricite* electrique* renouvelable* solaire* eolien* eolienne*
        nucleaire* charbon petrole* fossile* hydrogene* photovoltai*
        strom* erneuerbar* windkraft* kohle* atom* wasserstoff*
        """,
    "food": """
        food foods farm farms farming farmer* agricultur* crop* meat dairy diet* vegetarian*
        vegan* plant-based organic* fertili* pesticid* livestock cattle grow growing grower*
        produce eat eating meal* catering canteen* seasonal fish* beef milk cook* allotment*
        kitchen* nutrition*
        mad madspild* foedevare* landbrug* *landbrug* landmand* landmaend* okologi* oekolog*
        koed kod *koed* mejeri* plantebaser* vegetar* vegan* husdyr* goedning* afgroede*
        sproejt* pesticid* kantine* maaltid* spise*
        alimentation* aliment* agricult* agricole* agriculteur* viande* laitier* elevage*
        bio biologique* repas cantine* nourri* pesticide* engrais* paysan* cultur* vegetari*
        lebensmittel* landwirtschaft* fleisch* ernaehrung* bauer* essen
        """,
    "waste": """
        waste* recycl* reus* repair* plastic* packaging* landfill* litter* rubbish refuse
        circular* disposable* single-use bin bins compost* consum* consumer* product products
        shopping purchas* buy buying goods advertis* fashion clothing clothes textile*
        affald* *affald* genbrug* genanvend* plast* emballage* reparer* cirkulaer* forbrug*
        *forbrug* indkoeb* koeb* reklame* toej tekstil* kompost*
        dechet* recycl* reutilis* reemploi* reparation* reparer plastique* emballage*
        circulaire* consomm* achat* achet* publicit* vetement* textile* obsolescence* jetable*
        abfall* muell* verpackung* kunststoff* konsum* kreislauf* werbung*
        """,
    "nature": """
        nature natural tree trees woodland* forest* biodivers* wildlife habitat* rewild*
        green-space* park parks hedgerow* peat* wetland* soil* land lands river* sea seas
        ocean* water species pollinat* bee bees ecosystem* countryside conservation
        greenfield* brownfield* planting
        natur* *natur* trae traeer skov* *skov* biodiversitet* vildt* vaadomraade* mose* jord
        jorden jorde* hav havet havene vand *vand* fjord* kyst* oekosystem* beplant*
        urort* braklaeg* lavbund*
        arbre* foret* biodiversite* faune flore espece* sol sols terre* eau eaux mer ocean*
        riviere* artificialis* ecosysteme* humide* vert verte verts vertes bocage* haie*
        baum* baeume wald* waelder artenvielfalt* boden* wasser* meer* moor*
        """,
    "education": """
        educat* school* schools teach* teacher* curriculum* pupil* student* universit*
        college* learn* training skill* skills awareness campaign* communicat* information
        inform* messag* media advert* publicity knowledge literacy children young youth
        publicity behaviour* festival* event events engag*
        uddannelse* *uddannelse* skole* *skole* undervis* laerer* elev* studerende
        universitet* oplys* kampagne* kommunikation* informer* information* viden formidl*
        boern unge ungdom* adfaerd* bevidsthed*
        education* ecole* enseign* eleve* etudiant* universite* formation* sensibilis*
        information* campagne* communicat* jeune* enfant* connaissance* pedagog*
        bildung* schule* schueler* lehrer* ausbildung* aufklaer* kampagne* kinder jugend*
        """,
    "governance": """
        council* government* govern* authorit* politic* politician* policy policies law laws
        legislat* regulat* parliament* minister* democra* citizen* assembly jury scrutin*
        accountab* transparen* decision* decide* plan plans planning strateg* target* monitor*
        report* implement* leadership leader* mayor* regional national municipal*
        ban banned tax* levy* subsid* incentiv* fund* funding financ* invest* investment*
        budget* money cost* price* pension* bank* fee fees charge
        kommune* *kommune* region* regering* stat staten staten* politik* *politik* politiker*
        lov love lovgiv* regulering* folketing* minister* demokrati* borger* borgerting*
        beslutning* maal* strategi* plan planer planlaeg* afgift* *afgift* skat* *skat*
        tilskud* *tilskud* stoette* investering* *investering* finansier* pris* priser
        penge* budget* pension* bank*
        commune* collectivit* gouvernement* etat politique* loi lois legislat* reglement*
        parlement* ministre* democrat* citoyen* convention* decision* strateg* objectif*
        taxe* impot* fiscal* subvention* financ* investiss* prix cout* banque* budget*
        gemeinde* regierung* gesetz* politik* buerger* steuer* foerder* finanz* preis*
        """,
    "work": """
        job jobs employ* employer* employee* worker* workers work working workplace* business*
        company companies companies industr* manufactur* economy* economic* trade* commerce*
        supply chain* innovation* research* technolog* digital* enterprise* sector*
        arbejd* *arbejd* job jobs virksomhed* *virksomhed* erhverv* industri* *industri*
        oekonomi* handel* forskning* teknologi* innovation* digital*
        emploi* travail* travailleur* salarie* entreprise* industri* economi* commerce*
        recherche* technolog* innovation* numerique* production* produire produit*
        arbeit* beschaeftig* unternehm* industrie* wirtschaft* forschung* technik*
        """,
    "health": """
        health* healthcare hospital* doctor* nurse* patient* care carer* wellbeing well-being
        mental illness* disease* medic* pollution polluted air
        sundhed* *sundhed* sygehus* hospital* laege* patient* pleje* *pleje* trivsel* syg*
        sygdom* medicin* forurening* luft luften
        sante hopital* medecin* patient* soin* maladie* pollution* air
        gesundheit* krankenhaus* arzt* pflege* krank* luftverschmutzung*
        """,
}


def _parse() -> tuple[dict[str, list[str]], list[tuple[str, str]], list[tuple[str, str]]]:
    exact: dict[str, list[str]] = {}
    prefix: list[tuple[str, str]] = []
    infix: list[tuple[str, str]] = []
    for domain, text in _DOMAINS.items():
        for pattern in text.split():
            if pattern.startswith("*") and pattern.endswith("*"):
                infix.append((pattern.strip("*"), domain))
            elif pattern.endswith("*"):
                prefix.append((pattern.rstrip("*"), domain))
            else:
                exact.setdefault(pattern, []).append(domain)
    prefix.sort(key=lambda p: -len(p[0]))
    return exact, prefix, infix


_EXACT, _PREFIX, _INFIX = _parse()
DOMAINS: tuple[str, ...] = tuple(_DOMAINS)


@lru_cache(maxsize=200_000)
def domains_of(folded_word: str) -> tuple[str, ...]:
    """The domains an accent-folded word belongs to (usually none, at most a few)."""
    found: list[str] = []
    found.extend(_EXACT.get(folded_word, ()))
    for root, domain in _PREFIX:
        if folded_word.startswith(root):
            if domain not in found:
                found.append(domain)
            break
    if len(folded_word) >= 6:
        for root, domain in _INFIX:
            if root in folded_word[1:] and domain not in found:
                found.append(domain)
    return tuple(found)
