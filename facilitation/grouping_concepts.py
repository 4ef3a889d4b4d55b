"""A small multilingual lexicon of policy domains, written for samling (not copied).

Notes that say related things often share no word ("more cycle lanes", "cheaper buses").
Each domain lists accent-folded word forms in English, Danish, French and German (fewer in
Swedish, Norwegian, Dutch, Spanish and Italian). A note's hits per domain become one block
of features, so two notes about transport look alike even without a common word. It is one
block among four (see ``grouping_vectors``): it nudges, the notes' own words still count most.
Words were chosen as general policy vocabulary; a few English ones (e.g. "passivhaus",
"brownfield") were prompted by the two shared English tuning files, so figures on those
files flatter the lexicon a little.

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
        flying aviation airport* plane planes ferry ferries ship ships shipping mobility lorry
        lorries truck* freight speed motorway* highway* carpool* car-shar* station stations
        bil biler bilen bilerne bilist* elbil* personbil* *biler* *bilen* *trafik*
        *transport* cykel* cykl*
        tog* bussen busser busserne buslinje* busrute* fly flyet flyene flyrejse*
        *luftfart* lufthavn* vej veje vejene motorvej* parkering* pendl* koersel koere*
        fragt* lastbil* skib* faerge* hastighed* samkoersel* delebil* rejse rejser
        voiture* vehicule* velo velos ferroviaire* autobus autocar* tramway* routier*
        routiere* circulation* deplac* trajet* covoitur* mobilit* stationnement* avion*
        aerien* aeroport* autoroute* carburant* pieton* peage* vitesse* conducteur*
        automobil* navire* bateau* fret marchandise* gare gares camion* poids-lourd* kilometr*
        *verkehr* fahrzeug* fahrrad* radweg* bahn auto autos zug flug* strasse* *bahn*
        parkplatz* kollektiv* bilpool* pkw lkw tempolimit*
        bilar bilen cykel* sykkel* sykl* buss bussar busser jarnvag* jernbane*
        kollektivtrafik* flyg* trafik* fiets* vervoer trein* vliegtuig*
        coche* coches vehiculo* bicicleta* autobus* tren trenes ferrocarril* transporte*
        avion* trafico* movilidad* automobil* macchin* veicol* treno treni ferrovi*
        aereo* traffico* mobilita*
        """,
    "housing": """
        hous* home homes building* dwelling* landlord* tenant* rent rented rental* insulat*
        retrofit* passivhaus epc apartment* flat flats construct* architect* heat heating
        heated boiler* glazing renovat* property properties homeowner* residential
        bolig* *bolig* hus huse husene husstand* byggeri* *byggeri* bygning* *bygning*
        lejlighed* udlejer* lejer* isoler* opvarmning* varmepumpe* fjernvarme* energirenover*
        renover* nybyg* boligejer* husejer* *husleje* byg bygge* vindue* beton*
        logement* loger habitat* maison* immeuble* batiment* renovation* renover* isolation*
        isoler chauffage* chaudiere* proprietaire* locataire* loyer* construction*
        construire passoire* thermique* bailleur* urbanis* pavillon*
        wohn* *wohnung* gebaude* haus hauser heizung* damm* sanier* miete* vermiet*
        bostad* boende
        bostad* bostader boende hus husen bolig* isolering* uppvarmning* oppvarming*
        woning* huis huizen isolatie* verwarming* vivienda* casa casas edificio*
        aislamiento* calefaccion* alquiler* abitazion* edifici* isolamento*
        riscaldament* affitt*
        """,
    "energy": """
        energy energies electricity electric power renewable* solar wind turbine* turbines
        nuclear coal gas oil fossil* grid hydrogen geothermal biomass battery batteries
        photovoltaic* hydro hydropower generat* fracking biofuel* fuel fuels
        energi* *energi* el elektricitet* stroem* vedvarende sol solen solcelle* solenergi*
        solvarme* vindmoelle* vind vindkraft* havvind* kul olie naturgas biogas brint*
        atomkraft* elnet* *elnet* braendstof* biobraendsel*
        energie* *energie* electricite* electrique* renouvelable* solaire* eolien* eolienne*
        nucleaire* charbon petrole* fossile* hydrogene* photovoltai* enr biocarburant*
        fioul gaz autoconsommation*
        strom* erneuerbar* windkraft* kohle* atom* wasserstoff* solaranlage*
        energi* el elen fornybar* solenergi* solcell* solcelle* vindkraft* karnkraft*
        energie* zonne* windmolen* kerncentrale* energia* electricidad* renovable*
        solar* eolic* nuclear* elettricit* rinnovabil* fotovolta*
        """,
    "food": """
        food foods farm farms farming farmer* agricultur* crop* meat dairy diet* vegetarian*
        vegan* plant-based organic* fertili* pesticid* livestock cattle grow growing grower*
        produce eat eating meal* catering canteen* seasonal fish* beef milk cook* allotment*
        kitchen* nutrition* agroecolog* protein* orchard* harvest*
        mad madspild* foedevare* landbrug* *landbrug* landmand* landmaend* oekolog* koed
        *koed* mejeri* plantebaser* vegetar* vegan* husdyr* goedning* afgroede* sproejt*
        pesticid* kantine* maaltid* spise* fisk* fiskeri* maelk* kost* *mad* svin* gris
        grise* kvaeg*
        alimentation* aliment* agricult* agricole* agriculteur* viande* laitier* elevage*
        eleveur* bio biologique* repas cantine* restauration* nourri* pesticide* engrais*
        paysan* cultur* vegetari* peche* poisson* agroecolog* proteine* exploitation*
        cheptel* prairie* nutrition*
        lebensmittel* landwirtschaft* fleisch* ernahrung* bauer* essen
        mat maten livsmedel* jordbruk* landbruk* kott* kjoett* ekologisk*
        voedsel* landbouw* vlees boer* alimento* alimentacion* agricultur* carne comida*
        agricol* cibo carni
        """,
    "consumption": """
        waste* recycl* reus* repair* plastic* packaging* landfill* litter* rubbish refuse
        circular* disposable* single-use bin bins compost* consum* consumer* product products
        shopping purchas* buy buying goods advertis* fashion clothing clothes textile* label*
        labelling shop shops retail* supermarket*
        affald* *affald* genbrug* genanvend* plast* emballage* reparer* cirkulaer* forbrug*
        *forbrug* indkoeb* koeb* reklame* toej tekstil* kompost* maerk* butik* supermarked*
        produkt* vare varer engangs*
        dechet* recycl* reutilis* reemploi* reparation* reparer plastique* emballage*
        circulaire* consomm* achat* achet* publicit* vetement* textile* obsolescence*
        jetable* etiquet* affichage* magasin* commerce* produit* vrac consigne* ordure*
        abfall* mull* verpackung* kunststoff* konsum* kreislauf* werbung*
        avfall* aatervinn* gjenvinn* plast* konsum* forbruk* afval* recycl* plastic
        consument* residuo* residuos reciclaj* plastico* consumo* rifiut* riciclo*
        plastica consum*
        """,
    "nature": """
        nature natural tree trees woodland* forest* biodivers* wildlife habitat* rewild*
        green-space* park parks hedgerow* peat* wetland* soil* land lands river* sea seas
        ocean* water species pollinat* bee bees ecosystem* countryside conservation
        greenfield* brownfield* planting afforest* deforest* marine
        natur* *natur* trae traeer skov* *skov* biodiversitet* vildt* vaadomraade* mose* jord
        jorden jorde* hav havet havene havmiljoe* vand *vand* fjord* kyst* oekosystem*
        beplant* uroert*
        braklaeg* lavbund* dyreliv* arter
        arbre* foret* biodiversite* faune flore espece* sol sols terre terres eau eaux mer
        ocean* riviere* artificialis* ecosysteme* humide* vert verte verts vertes bocage*
        haie* naturel* naturelle* friche* deforestation* marin* marine*
        baum* baume wald* walder artenvielfalt* boden* wasser* meer* moor*
        natur* skog* trae* vatten hav natuur* bos bossen bomen water zee
        naturaleza* bosque* arbol* agua mar natura* bosch* foresta* alberi acqua mare
        biodiversidad* biodiversita*
        """,
    "education": """
        educat* school* schools teach* teacher* curriculum* pupil* student* universit*
        college* learn* training skill* skills awareness campaign* communicat* information
        inform* messag* media advert* publicity knowledge literacy children young youth
        behaviour* festival* event events engag*
        uddannelse* *uddannelse* skole* *skole* undervis* laerer* elev* studerende
        universitet* oplys* kampagne* kommunikation* informer* information* viden formidl*
        boern unge ungdom* adfaerd* bevidsthed*
        education* educat* ecole* scolaire* enseign* eleve* etudiant* universite* formation*
        former sensibilis* information* informer campagne* communicat* jeune* enfant*
        connaissance* pedagog*
        bildung* schule* schuler* lehrer* ausbildung* aufklar* kampagne* kinder jugend*
        utbildning* utdanning* skola* skole* onderwijs* school* educacion* escuela*
        formacion* istruzione* scuol* formazion* informacion* informazion*
        """,
    "governance": """
        council* government* govern* authorit* politic* politician* policy policies law laws
        legal* legislat* regulat* parliament* minister* democra* citizen* assembly jury
        scrutin* accountab* transparen* decision* decide* plan plans planning strateg*
        target* monitor* report* implement* leadership leader* mayor* regional national
        municipal* constitution* rights court*
        kommune* *kommune* region* regering* stat staten politik* *politik* politiker* lov
        love lovgiv* regulering* folketing* minister* demokrati* borger* borgerting*
        beslutning* maal* strategi* plan planer planlaeg* grundlov* rettighed*
        commune* collectivit* gouvernement* etat politique* loi lois legislat* reglement*
        reglementation* parlement* ministre* democrat* citoyen* convention* decision*
        strateg* objectif* constitution* droit droits juridique* tribunal* gouvernance*
        gemeinde* regierung* gesetz* politik* burger* verfassung*
        kommun* regering* regjering* politik* politikk* lov gemeente*
        overheid* regering* gobierno* municipio* ley leyes politica* governo*
        comune* legge leggi politic*
        """,
    "finance": """
        tax* levy* subsid* incentiv* fund funds funding financ* invest* budget* money cost*
        price* pension* bank* fee fees charge charges grant grants loan* afford*
        afgift* *afgift* skat* *skat* tilskud* *tilskud* stoette* investering* *investering*
        finansier* pris priser penge* budget* pension* bank* laan* gebyr*
        taxe* taxer impot* fiscal* fiscaux subvention* financ* investiss* prix cout*
        banque* budget* pret prets bonus malus aide aides tva dividende* epargne*
        steuer* forder* finanz* preis* geld kosten
        skatt* avgift* bidrag* belasting* subsidie* impuesto* subvencion* financ* tasse
        tassa* sussid* finanz*
        """,
    "work": """
        job jobs employ* employer* employee* worker* workers work working workplace* business*
        company companies industr* manufactur* economy* economic* trade* commerce* supply
        innovation* research* technolog* digital* enterprise* sector* skills
        arbejd* *arbejd* virksomhed* *virksomhed* erhverv* industri* *industri* oekonomi*
        handel* forskning* teknologi* innovation* digital* beskaeftig*
        emploi* travail* travailleur* salarie* entreprise* industri* economi* commerci*
        recherche* technolog* innovation* numerique* production* produire manufactur*
        competence* metier*
        arbeit* beschaftig* unternehm* industrie* wirtschaft* forschung* technik*
        arbete* arbeid* jobb* foretag* bedrift* industri* werk bedrijf* bedrijven
        empleo* trabajo* empresa* industria* lavoro* impresa imprese industri*
        """,
    "removal": """
        capture* sequest* ccs beccs daccs removal* removals offset* offsetting peatland*
        co2-fangst* fangst* lagring* co2-lagring* *lagring* negative
        captage* captation* sequestration* stockage* puits compensation* compenser
        abscheidung* speicherung* kompensation*
        """,
    "health": """
        health* healthcare hospital* doctor* nurse* patient* care carer* wellbeing well-being
        mental illness* disease* medic* pollution polluted air
        sundhed* *sundhed* sygehus* hospital* laege* patient* pleje* *pleje* trivsel* syg*
        sygdom* medicin* forurening* luft luften
        sante hopital* medecin* patient* soin* maladie* pollution* air
        gesundheit* krankenhaus* arzt* pflege* krank* luftverschmutzung*
        halsa* helse* sjukvaard* sykehus* gezondheid* ziekenhuis* salud* hospital*
        sanidad* salute* ospedal* sanita*
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
            if root in folded_word and domain not in found:
                found.append(domain)
    return tuple(found)
